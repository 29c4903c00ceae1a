import type { Context, MiddlewareHandler } from 'hono';
import { PayloadTooLargeError } from '../../core/errors.js';

const bufferedBodies = new WeakMap<Request, Uint8Array>();

function tooLarge(maxBytes: number, what: string): PayloadTooLargeError {
  return new PayloadTooLargeError(`request body ${what} exceeds the limit of ${maxBytes} bytes`, [
    { path: 'body', message: `at most ${maxBytes} bytes` },
  ]);
}

/** Reads a body stream to its end, giving up (and cancelling the stream) as soon as it passes `maxBytes`. */
async function readLimited(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes, `of more than ${size} bytes`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  return Buffer.concat(chunks, size);
}

/**
 * Refuses request bodies over `maxBytes` with a PayloadTooLargeError (HTTP 413). A declared Content-Length over the
 * limit is refused before reading; every body is then counted as it streams in, so a missing or understated
 * Content-Length (chunked uploads) cannot slip past. The body is buffered once: routes read it with
 * `bufferedBody(c)`, and `c.req` keeps working for any other reader.
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes, `of ${declared} bytes`);
    const body = c.req.raw.body;
    if (body) {
      const bytes = await readLimited(body, maxBytes);
      const request = new Request(c.req.raw, { body: bytes });
      bufferedBodies.set(request, bytes);
      c.req.raw = request;
    }
    await next();
  };
}

/** The request body read by `bodyLimit`, or undefined when the middleware did not run or there was no body. */
export function bufferedBody(c: Context): Uint8Array | undefined {
  return bufferedBodies.get(c.req.raw);
}
