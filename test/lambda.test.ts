import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { handler as LambdaHandler } from '../src/api/lambda.js';

type Handler = typeof LambdaHandler;
type LambdaEvent = Parameters<Handler>[0];

/** A sample event as `sam local invoke -e deploy/events/<name>` sends it. */
function event(name: string): LambdaEvent {
  return JSON.parse(readFileSync(new URL(`../deploy/events/${name}`, import.meta.url), 'utf8')) as LambdaEvent;
}

/** The header as the gateway returns it: `headers` (HTTP API) or `multiValueHeaders` (REST API). */
function header(result: Awaited<ReturnType<Handler>>, name: string): string | undefined {
  const multi = (result as { multiValueHeaders?: Record<string, string[]> }).multiValueHeaders;
  if (multi) return multi[name]?.[0];
  const single = (result as { headers?: Record<string, string> }).headers;
  return single?.[name];
}

interface AnalyseBody {
  total_readings: number;
  anomalies_detected: number;
  results: { sensor_id: string; is_anomaly: boolean; anomalous_metrics: string[] }[];
}

/** A fresh module per test: every test starts like a new container. */
async function coldHandler(): Promise<Handler> {
  vi.resetModules();
  return (await import('../src/api/lambda.js')).handler;
}

describe('Lambda handler', () => {
  const savedDb = process.env.UPKEEP_DB;
  beforeEach(() => {
    delete process.env.UPKEEP_DB;
  });
  afterEach(() => {
    if (savedDb === undefined) delete process.env.UPKEEP_DB;
    else process.env.UPKEEP_DB = savedDb;
  });

  it('scores a batch from an API Gateway REST (payload 1.0) event', async () => {
    const handler = await coldHandler();
    const result = await handler(event('analyse-v1.json'));
    expect(result.statusCode).toBe(200);
    expect(header(result, 'content-type')).toMatch(/^application\/json/);
    const body = JSON.parse(result.body) as AnalyseBody;
    expect(body.total_readings).toBe(9);
    expect(body.anomalies_detected).toBe(1);
    expect(body.results.filter((r) => r.is_anomaly).map((r) => [r.sensor_id, r.anomalous_metrics])).toEqual([
      ['pump-03', ['temperature', 'vibration']],
    ]);
  });

  it('scores a batch from an HTTP API (payload 2.0) event, with its threshold query', async () => {
    const handler = await coldHandler();
    const result = await handler(event('analyse-v2.json'));
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body) as AnalyseBody;
    expect(body.anomalies_detected).toBe(1);
    // The same batch at ?threshold=1 flags three more pumps: the query string reaches the route.
    const loose = { ...event('analyse-v2.json'), rawQueryString: 'threshold=1' } as LambdaEvent;
    expect((JSON.parse((await handler(loose)).body) as AnalyseBody).anomalies_detected).toBe(4);
    const bad = { ...event('analyse-v2.json'), rawQueryString: 'threshold=-2' } as LambdaEvent;
    const refused = await handler(bad);
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body).error).toBe(`'threshold' must be a positive number, got "-2"`);
  });

  it('decodes a base64-encoded body to the same answer as the plain one', async () => {
    const handler = await coldHandler();
    const encoded = await handler(event('analyse-base64-v2.json'));
    const plain = await handler(event('analyse-v1.json'));
    expect(encoded.statusCode).toBe(200);
    expect(encoded.isBase64Encoded).toBe(false);
    expect(JSON.parse(encoded.body)).toEqual(JSON.parse(plain.body));
  });

  it('answers 400 to a body that is not JSON', async () => {
    const handler = await coldHandler();
    const result = await handler(event('analyse-malformed-v1.json'));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ error: 'Malformed JSON in request body' });
  });

  it('answers GET /health from the DuckDB store', async () => {
    const handler = await coldHandler();
    const result = await handler(event('health-v1.json'));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ status: 'ok', store: 'duckdb' });
  });

  it('keeps one store per container: readings stored by one invocation are seen by the next', async () => {
    const handler = await coldHandler();
    const first = await handler(event('readings-v1.json'));
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ accepted: 6, duplicates: 0, readings: 3 });
    const again = await handler(event('readings-v1.json'));
    expect(JSON.parse(again.body)).toEqual({ accepted: 0, duplicates: 6, readings: 3 });

    const assets = { ...event('health-v1.json'), path: '/v1/assets', resource: '/v1/assets' } as LambdaEvent;
    const listed = await handler(assets);
    expect(listed.statusCode).toBe(200);
    expect(listed.body).toContain('pump-01');
    expect(listed.body).toContain('pump-02');

    // A new container starts empty.
    const fresh = await coldHandler();
    expect(JSON.parse((await fresh(event('readings-v1.json'))).body)).toMatchObject({ accepted: 6 });
  });

  it('does not cache a failed start: the next invocation tries again', async () => {
    // A database file inside a file: its folder cannot be created.
    process.env.UPKEEP_DB = '/dev/null/upkeep.duckdb';
    const handler = await coldHandler();
    await expect(handler(event('health-v1.json'))).rejects.toThrow();
    process.env.UPKEEP_DB = ':memory:';
    expect((await handler(event('health-v1.json'))).statusCode).toBe(200);
  });
});
