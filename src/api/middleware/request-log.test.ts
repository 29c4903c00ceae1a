import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FullApp, fullApp } from '../../../test/helpers/full-app.js';
import { createApp } from '../app.js';
import { DEFAULT_LIMITS } from '../context.js';

describe('request ids and JSON request logs', () => {
  let subject: FullApp;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    subject = await fullApp();
  });

  afterAll(async () => {
    await subject.close();
  });

  function loggedApp(readiness: { name: string; check(): Promise<void> }[] = []) {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
        done();
      },
    });
    return createApp({
      store: subject.store,
      clock: subject.clock,
      limits: DEFAULT_LIMITS,
      version: 'test',
      logger: pino({ level: 'info' }, sink),
      readiness,
    });
  }

  it('echoes a sane X-Request-Id, makes one otherwise, and logs one line per request without secrets', async () => {
    const app = loggedApp();
    const given = await app.request('/health', { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const made = await app.request('/v1/assets', {
      headers: { 'x-request-id': 'bad id\twith spaces', authorization: 'Bearer upk_secret_value' },
    });
    const madeId = made.headers.get('x-request-id') ?? '';
    expect(madeId).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((resolve) => setImmediate(resolve));
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests.map((line) => [line.req_id, line.method, line.path, line.status])).toEqual([
      ['abc-123', 'GET', '/health', 200],
      [madeId, 'GET', '/v1/assets', 200],
    ]);
    expect(typeof requests[0]?.ms).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('upk_secret_value');
  });

  it('is ready only when the store and every configured broker answer, naming the one that does not', async () => {
    let brokerUp = false;
    const app = loggedApp([
      {
        name: 'mqtt',
        check: async () => {
          if (!brokerUp) throw new Error('MQTT broker not connected');
        },
      },
    ]);
    const down = await app.request('/ready');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      error: 'not ready: mqtt',
      details: [{ path: 'mqtt', message: 'MQTT broker not connected' }],
    });
    expect((await app.request('/health')).status).toBe(200);
    brokerUp = true;
    expect((await app.request('/ready')).status).toBe(200);
  });
});
