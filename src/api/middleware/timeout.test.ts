import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { errorResponse } from './error-handler.js';
import { requestTimeout } from './timeout.js';

function appWith(ms: number): Hono {
  const app = new Hono();
  app.onError(errorResponse);
  app.use('*', requestTimeout(ms));
  app.get('/slow', async (c) => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return c.text('late');
  });
  app.get('/fast', (c) => c.text('ok'));
  app.post('/v1/jobs', async (c) => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return c.text('uploaded');
  });
  return app;
}

describe('requestTimeout', () => {
  it('answers 503 with Retry-After when a handler has not answered in time', async () => {
    const response = await appWith(20).request('/slow');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(((await response.json()) as { error: string }).error).toBe('GET /slow took longer than 20 ms');
  });

  it('lets a prompt handler answer, and leaves uploads (POST /v1/jobs) to the body limit', async () => {
    const app = appWith(20);
    expect(await (await app.request('/fast')).text()).toBe('ok');
    const upload = await app.request('/v1/jobs', { method: 'POST', body: 'x' });
    expect(upload.status).toBe(200);
    expect(await upload.text()).toBe('uploaded');
  });
});
