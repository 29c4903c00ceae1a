import { describeValue, NotFoundError, ValidationError } from '../../core/errors.js';
import { parseTimestamp } from '../../core/time.js';

/** The `from`/`to` query parameter of an asset route: ISO-8601 or epoch ms; undefined when absent. */
export function timeParameter(name: 'from' | 'to', text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ts = parseTimestamp(/^\d+$/.test(text) ? Number(text) : text);
  if (ts === undefined) {
    throw new ValidationError(`'${name}' must be an ISO-8601 time or epoch milliseconds, got ${describeValue(text)}`, [
      { path: name, message: 'must be an ISO-8601 time or epoch milliseconds' },
    ]);
  }
  return ts;
}

/** The 404 of an asset route whose `{id}` names no asset. */
export function unknownAsset(id: string): NotFoundError {
  return new NotFoundError(`unknown asset ${describeValue(id)}`, [{ path: 'id', message: 'no such asset' }]);
}
