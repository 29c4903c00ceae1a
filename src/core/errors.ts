/** One problem with an input, located by a path such as `readings[3].temperature`. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** Base of every error Upkeep raises on purpose; the API's error handler maps `name` to an HTTP status. */
export class UpkeepError extends Error {
  readonly details: ErrorDetail[];

  constructor(message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'UpkeepError';
    this.details = details;
  }
}

/** The input is malformed: bad JSON, a missing field, a wrong type (HTTP 400). */
export class ValidationError extends UpkeepError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(message, details);
    this.name = 'ValidationError';
  }
}

/** The input is well-formed but cannot be processed: e.g. a model asked for a column it was not trained on (HTTP 422). */
export class UnprocessableError extends UpkeepError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(message, details);
    this.name = 'UnprocessableError';
  }
}

/** The request body or batch exceeds a configured size limit (HTTP 413). */
export class PayloadTooLargeError extends UpkeepError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(message, details);
    this.name = 'PayloadTooLargeError';
  }
}

/** A named resource does not exist (HTTP 404). */
export class NotFoundError extends UpkeepError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(message, details);
    this.name = 'NotFoundError';
  }
}

/** The action conflicts with the resource's current state (HTTP 409). */
export class ConflictError extends UpkeepError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(message, details);
    this.name = 'ConflictError';
  }
}

/** A model was used for prediction before it was fitted. */
export class NotFittedError extends UpkeepError {
  constructor(modelName: string) {
    super(`${modelName} is not fitted: call fit() first or load a saved model`);
    this.name = 'NotFittedError';
  }
}

/** A service or queue is over capacity; the client should retry later (HTTP 503). */
export class OverloadedError extends UpkeepError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds = 1) {
    super(message);
    this.name = 'OverloadedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The request carries no API key, or one that is unknown, revoked or expired (HTTP 401). */
export class UnauthorizedError extends UpkeepError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(message, details);
    this.name = 'UnauthorizedError';
  }
}

/** The API key is valid but its role does not allow the action (HTTP 403). */
export class ForbiddenError extends UpkeepError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(message, details);
    this.name = 'ForbiddenError';
  }
}

/** The caller exceeded its request rate; it may retry after `retryAfterSeconds` (HTTP 429). */
export class RateLimitedError extends UpkeepError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number, details: ErrorDetail[] = []) {
    super(message, details);
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Formats a value for an error message: strings quoted, everything else as JSON. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
