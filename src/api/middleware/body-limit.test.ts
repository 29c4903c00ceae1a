import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { bodyLimit, bufferedBody } from './body-limit.js';
import { errorResponse } from './error-handler.js';

function testApp(maxBytes: number): Hono {
  const app = new Hono();
  app.onError(errorResponse);
  app.use('*', bodyLimit(maxBytes));
  app.all('/echo', async (c) => {
    const buffered = bufferedBody(c);
    return c.json({ buffered: buffered?.byteLength ?? null, text: await c.req.text() });
  });
  return app;
}

/** A body that arrives in `chunks` pieces of `size` bytes with no Content-Length, recording how much was pulled. */
function chunkedBody(chunks: number, size: number) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === chunks) return controller.close();
      state.pulled++;
      controller.enqueue(new Uint8Array(size).fill(120));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

describe('bodyLimit', () => {
  it('passes a body up to the limit and keeps it readable, buffered once', async () => {
    const response = await testApp(10).request('/echo', { method: 'POST', body: '0123456789' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ buffered: 10, text: '0123456789' });
  });

  it('passes requests without a body', async () => {
    const response = await testApp(10).request('/echo');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ buffered: null, text: '' });
  });

  it('refuses a declared Content-Length over the limit with 413 before reading the body', async () => {
    const { stream, state } = chunkedBody(100, 10);
    const response = await testApp(10).request('/echo', {
      method: 'POST',
      body: stream,
      headers: { 'content-length': '1000' },
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: 'request body of 1000 bytes exceeds the limit of 10 bytes',
      details: [{ path: 'body', message: 'at most 10 bytes' }],
    });
    expect(state.pulled).toBeLessThanOrEqual(1);
  });

  it('counts streamed bytes when there is no Content-Length, and stops reading once over the limit', async () => {
    const { stream, state } = chunkedBody(100, 4);
    const response = await testApp(10).request('/echo', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toBe(
      'request body of more than 12 bytes exceeds the limit of 10 bytes',
    );
    expect(state.pulled).toBeLessThan(10);
    expect(state.cancelled).toBe(true);
  });

  it('does not trust an understated Content-Length', async () => {
    const { stream } = chunkedBody(5, 4);
    const response = await testApp(10).request('/echo', {
      method: 'POST',
      body: stream,
      headers: { 'content-length': '4' },
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('joins a body that arrives in several chunks', async () => {
    const { stream } = chunkedBody(3, 3);
    const response = await testApp(10).request('/echo', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(await response.json()).toEqual({ buffered: 9, text: 'xxxxxxxxx' });
  });
});
