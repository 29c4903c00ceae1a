/**
 * Request bodies streamed to a file with a size cap, never held in memory: a raw body (`text/csv`,
 * `application/x-ndjson`) or the one file part of a `multipart/form-data` upload (parsed with busboy), whose other
 * parts are short text fields. Past the cap the upload stops at once with a `PayloadTooLargeError` (HTTP 413) and
 * the partial file is removed.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { PayloadTooLargeError, ValidationError } from '../core/errors.js';

/** Default largest upload: 1 GiB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 1024 ** 3;

/** Most text fields (and bytes per field) a multipart upload may carry beside its file. */
const MAX_FIELDS = 20;
const MAX_FIELD_BYTES = 4096;

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`the upload exceeds the limit of ${maxBytes} bytes`, [
    { path: 'body', message: `at most ${maxBytes} bytes` },
  ]);
}

/** Counts bytes going through and fails once more than `maxBytes` have passed. */
class ByteLimit extends Transform {
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) callback(tooLarge(this.maxBytes));
    else callback(null, chunk);
  }
}

/** Refuses a declared Content-Length over the cap before reading anything. */
export function checkDeclaredLength(contentLength: string | undefined, maxBytes: number): void {
  if (contentLength !== undefined && Number(contentLength) > maxBytes) throw tooLarge(maxBytes);
}

/** Streams `body` into `path`; resolves with the bytes written. Removes the file on any failure. */
export async function saveBody(
  body: ReadableStream<Uint8Array> | null,
  path: string,
  maxBytes: number,
): Promise<number> {
  if (!body)
    throw new ValidationError('the request has no body: send the input file', [{ path: 'body', message: 'empty' }]);
  const limit = new ByteLimit(maxBytes);
  try {
    await pipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), limit, createWriteStream(path));
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  return limit.bytes;
}

export interface MultipartUpload {
  /** The text fields, by name (the last value of a repeated field). */
  fields: Record<string, string>;
  /** Bytes of the file written. */
  bytes: number;
  /** The file name the client gave, if any. */
  filename?: string;
  /** The file part's content type. */
  mimeType: string;
}

/**
 * Streams the one file part of a multipart body into `path` and collects the text fields. A body without a file
 * part, or with more than one, is a `ValidationError`; a file over `maxBytes` a `PayloadTooLargeError`.
 */
export async function saveMultipart(
  body: ReadableStream<Uint8Array> | null,
  contentType: string,
  path: string,
  maxBytes: number,
): Promise<MultipartUpload> {
  if (!body)
    throw new ValidationError('the request has no body: send the input file', [{ path: 'body', message: 'empty' }]);
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      limits: { files: 1, fileSize: maxBytes, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES },
    });
  } catch (error) {
    throw new ValidationError(`malformed multipart upload: ${(error as Error).message}`, [
      { path: 'body', message: 'malformed multipart' },
    ]);
  }
  const source = Readable.fromWeb(body as WebReadableStream<Uint8Array>);
  const fields: Record<string, string> = {};
  let file: { bytes: number; filename?: string; mimeType: string; written: Promise<void> } | undefined;
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
  };
  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) fail(new ValidationError(`field '${name}' is longer than ${MAX_FIELD_BYTES} bytes`));
    fields[name] = value;
  });
  parser.on('filesLimit', () =>
    fail(new ValidationError('send one file per upload, got more', [{ path: 'file', message: 'more than one file' }])),
  );
  parser.on('file', (_name, stream, info) => {
    if (file) {
      stream.resume();
      return;
    }
    const entry = {
      bytes: 0,
      mimeType: info.mimeType,
      ...(info.filename ? { filename: info.filename } : {}),
      written: Promise.resolve(),
    };
    stream.on('data', (chunk: Buffer) => {
      entry.bytes += chunk.length;
    });
    stream.on('limit', () => {
      fail(tooLarge(maxBytes));
      // Stop reading the request: the rest of an oversized upload is not worth receiving.
      source.destroy(tooLarge(maxBytes));
      stream.destroy(tooLarge(maxBytes));
    });
    entry.written = pipeline(stream, createWriteStream(path)).catch((error: Error) => fail(error));
    file = entry;
  });
  try {
    await pipeline(source, parser);
  } catch (error) {
    fail(
      failure ??
        new ValidationError(`malformed multipart upload: ${(error as Error).message}`, [
          { path: 'body', message: 'malformed multipart' },
        ]),
    );
  }
  await file?.written;
  if (!failure && !file)
    fail(
      new ValidationError("the upload has no file part: send the input as a part named 'file'", [
        { path: 'file', message: 'missing' },
      ]),
    );
  if (failure) {
    await rm(path, { force: true });
    throw failure;
  }
  const saved = file as NonNullable<typeof file>;
  return {
    fields,
    bytes: saved.bytes,
    mimeType: saved.mimeType,
    ...(saved.filename ? { filename: saved.filename } : {}),
  };
}

/** Reads a short body (JSON) into text, refusing more than `maxBytes` as it streams in. */
export async function readText(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
