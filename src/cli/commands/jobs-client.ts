/**
 * The HTTP side of `upkeep jobs`: calls to a running server's job routes with an API key, error answers turned back
 * into the typed errors the server raised (one readable line, exit code 2).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnprocessableError,
  UpkeepError,
  ValidationError,
} from '../../core/errors.js';

/** Where a server answers unless `--url` or UPKEEP_URL says otherwise. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

export interface ServerAddress {
  url: string;
  key?: string;
}

const BY_STATUS: Record<number, new (message: string) => UpkeepError> = {
  400: ValidationError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  422: UnprocessableError,
};

/** The server and key from the options, then UPKEEP_URL / UPKEEP_API_KEY, then the default URL. */
export function serverAddress(options: { url?: string; key?: string }): ServerAddress {
  const url = (options.url ?? process.env.UPKEEP_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  const key = options.key ?? process.env.UPKEEP_API_KEY;
  return { url, ...(key ? { key } : {}) };
}

/** Sends a request; a non-2xx answer becomes the typed error with the server's message. */
export async function callServer(
  server: ServerAddress,
  method: string,
  path: string,
  init: { body?: ReadableStream<Uint8Array> | string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (server.key) headers.authorization = `Bearer ${server.key}`;
  let response: Response;
  try {
    response = await fetch(`${server.url}${path}`, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: init.body, duplex: 'half' }),
    } as RequestInit);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new UpkeepError(`cannot reach ${server.url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  if (response.ok) return response;
  const text = await response.text();
  let message = text;
  try {
    message = (JSON.parse(text) as { error?: string }).error ?? text;
  } catch {
    // not JSON: the text itself
  }
  const Typed = BY_STATUS[response.status] ?? UpkeepError;
  throw new Typed(`${method} ${path}: ${response.status} ${message}`);
}

export async function callJson<T>(server: ServerAddress, method: string, path: string): Promise<T> {
  return (await (await callServer(server, method, path)).json()) as T;
}

/** Uploads a file as the raw body of `POST /v1/jobs`, streamed from disk. */
export async function uploadFile(
  server: ServerAddress,
  path: string,
  query: URLSearchParams,
  type: string,
): Promise<unknown> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new NotFoundError(`input file '${path}' does not exist`, [{ path: 'input', message: 'no such file' }]);
  }
  const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
  const response = await callServer(server, 'POST', `/v1/jobs?${query}`, {
    body,
    headers: { 'content-type': type, 'content-length': String(size) },
  });
  return response.json();
}
