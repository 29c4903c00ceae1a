import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertState } from '../src/core/alert.js';
import { parseCsvFrame } from '../src/io/csv-frame.js';
import { trainModel } from '../src/models/train.js';
import type { StoredJsonObject } from '../src/store/registry.js';
import { type AppRoute, appRoutes, type FullApp, fullApp, T0 } from './helpers/full-app.js';

/**
 * Property-based fuzzing of every write route (generated from the app, so routes added later are fuzzed too):
 * 10,000 requests with random and malformed bodies, headers, query strings and path parameters. No request may
 * get a 5xx or crash the process, the server must answer /health and /ready afterwards, and a rejected request
 * must leave no trace: the stored readings, alert rules, webhooks and alert states are exactly what the accepted
 * requests account for.
 */
const RUNS = 10_000;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let subject: FullApp;
let writeRoutes: AppRoute[];
const seededAlertIds: string[] = [];
const seededRuleIds: string[] = [];

beforeAll(async () => {
  subject = await fullApp();
  writeRoutes = appRoutes(subject.app).filter((route) => WRITE_METHODS.has(route.method));
  // A model `x@1` (the path parameters include it), so predict, cost and promote reach the model code.
  const lines = ['x1,x2,failure'];
  for (let i = 0; i < 40; i++) lines.push(`${(i % 8) - 3.5},${Math.floor(i / 8) - 2},${i % 3 === 0 ? 1 : 0}`);
  const trained = trainModel(
    await parseCsvFrame(`${lines.join('\n')}\n`),
    { target: 'failure', model: 'logistic', task: 'classification' },
    { clock: subject.clock },
  );
  await subject.registry.saveVersion({
    name: 'x',
    kind: trained.card.kind,
    task: trained.card.task,
    metrics: {},
    card: trained.card as unknown as StoredJsonObject,
    model: trained.toJSON() as unknown as StoredJsonObject,
    createdAt: T0,
  });
  for (let index = 0; index < 4; index++) {
    const rule = await subject.stores.alerts.addRule({
      name: `seed ${index}`,
      condition: { kind: 'metric_above', metric: 'temperature', threshold: 80, clear: 70 },
      severity: 'major',
      forMs: 0,
      clearForMs: 0,
    });
    seededRuleIds.push(rule.id);
    const { alert } = await subject.stores.alerts.open({
      ruleId: rule.id,
      asset: `seed-${index}`,
      severity: 'major',
      message: 'seeded',
      value: 90,
      openedAt: T0,
    });
    seededAlertIds.push(alert.id);
  }
});

afterAll(async () => {
  await subject?.close();
});

const printable = fc.string({ maxLength: 40 }).map((text) => text.replace(/[^\x20-\x7e]/g, ''));

const metricValue = fc.oneof(
  fc.double({ noNaN: false }),
  fc.integer(),
  fc.constantFrom('hot', null, true, [], {}, '1e400', -0),
);
const readingLike = fc.record(
  {
    asset: fc.oneof(fc.constantFrom('fz-1', 'fz-2', 'fz-3'), fc.string({ maxLength: 20 }), fc.integer()),
    ts: fc.oneof(
      fc.integer({ min: T0 - 1e9, max: T0 + 1e9 }),
      fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      fc.string({ maxLength: 12 }),
      fc.constantFrom(-1e20, 1e20, null),
    ),
    metrics: fc.dictionary(
      fc.oneof(fc.constantFrom('temperature', 'vibration'), fc.string({ maxLength: 8 })),
      metricValue,
      {
        maxKeys: 4,
      },
    ),
  },
  { requiredKeys: [] },
);

const validReadings = fc
  .array(
    fc.record({
      asset: fc.constantFrom('fz-1', 'fz-2', 'fz-3'),
      ts: fc.integer({ min: T0, max: T0 + 3_600_000 }),
      metrics: fc.record({ temperature: fc.double({ min: -50, max: 150, noNaN: true }) }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((readings) => JSON.stringify(readings));
const validRule = fc
  .record({
    name: fc.string({ minLength: 1, maxLength: 20 }),
    condition: fc.record({
      kind: fc.constantFrom('metric_above', 'metric_below', 'rul_below'),
      metric: fc.constant('temperature'),
      threshold: fc.double({ min: -10, max: 10, noNaN: true }),
      clear: fc.double({ min: -10, max: 10, noNaN: true }),
    }),
    severity: fc.constantFrom('critical', 'major', 'minor', 'warning', 'fatal'),
  })
  .map((rule) => JSON.stringify(rule));

const modelRows = fc
  .record({
    rows: fc.array(
      fc.record(
        {
          x1: fc.oneof(fc.double(), fc.integer(), fc.constantFrom('hot', null, '', '1e999')),
          x2: fc.oneof(fc.double(), fc.constantFrom(true, null)),
          extra: fc.string({ maxLength: 5 }),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 5 },
    ),
  })
  .map((body) => JSON.stringify(body));

const bodyText = fc.oneof(
  validReadings,
  modelRows,
  validRule,
  fc.record({ by: fc.string({ maxLength: 10 }), comment: fc.string({ maxLength: 10 }) }).map((x) => JSON.stringify(x)),
  fc.array(readingLike, { maxLength: 8 }).map((readings) => JSON.stringify(readings)),
  fc.record({ readings: fc.array(readingLike, { maxLength: 4 }) }).map((body) => JSON.stringify(body)),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc.object({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.integer({ min: 1, max: 5000 }).map((depth) => '['.repeat(depth)),
  fc.constantFrom(
    '',
    '{',
    'null',
    '"\\ud800"',
    '{"__proto__":{"polluted":1}}',
    'asset,ts,temperature\nfz-1,2026-01-01T00:00:00Z,71\n',
    'asset,ts\n,,,,\n"unterminated',
    '{"name":"x","role":"admin"}',
    '{"url":"http://127.0.0.1:1/x"}',
    '{"name":"r","condition":{"kind":"metric_above","metric":"t","threshold":1,"clear":2},"severity":"minor"}',
  ),
);
const body = fc.oneof(
  { weight: 9, arbitrary: bodyText.map((text): string | Uint8Array => text) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes): string | Uint8Array => bytes) },
);

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string | undefined>('application/json') },
  { weight: 1, arbitrary: fc.constant<string | undefined>(undefined) },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/x-ndjson',
        'text/csv',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        'application/octet-stream',
      ),
      printable,
    ),
  },
);

type Auth = 'admin' | 'operate' | 'ingest' | 'none' | 'garbage';
const auth = fc.constantFrom<Auth>('admin', 'admin', 'admin', 'operate', 'ingest', 'none', 'garbage');

const queryString = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(
      fc.oneof(fc.constantFrom('limit', 'state', 'explain', 'top', 'asset'), printable),
      fc.oneof(fc.string(), printable),
      {
        maxKeys: 4,
      },
    )
    .map((query) => `?${new URLSearchParams(query).toString()}`),
  fc.constantFrom('?%zz', '?&&==&', '?limit=-1', '?limit=1e309', '?explain=true&top=-5', `?x=${'a'.repeat(5000)}`),
);

const pathParam = fc.oneof(
  fc.constantFrom('1', '2', '3', '4', '0', '999999999999999999999', '-1', 'x@1', 'x@1', 'x@1', '..', '%00', '%2F'),
  fc.string({ maxLength: 30 }).map((text) => encodeURIComponent(text)),
);

const request = fc.record({
  routeIndex: fc.nat(),
  body,
  contentType,
  auth,
  query: queryString,
  param: pathParam,
  requestId: fc.option(printable, { nil: undefined }),
  extraHeader: fc.option(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), printable), { nil: undefined }),
});

describe('fuzzing every write route', () => {
  it(`answers ${RUNS} random and malformed requests without a 5xx, then is healthy and unchanged by rejections`, async () => {
    expect(writeRoutes.length).toBeGreaterThan(10);
    const statuses = new Map<string, number>();
    let acceptedValues = 0;
    let rulesAdded = 0;
    let rulesDeleted = 0;
    let webhooksAdded = 0;
    let webhooksDeleted = 0;
    const alertStates = new Map<string, AlertState>(seededAlertIds.map((id) => [id, 'open']));
    const rulesBefore = (await subject.stores.alerts.listRules()).length;
    let sent = 0;

    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const route = writeRoutes[input.routeIndex % writeRoutes.length] as AppRoute;
        const path = route.pattern.replace(/:[A-Za-z_]+/g, input.param);
        const headers: Record<string, string> = {};
        if (input.extraHeader) headers[input.extraHeader[0]] = input.extraHeader[1];
        if (input.contentType !== undefined) headers['content-type'] = input.contentType;
        if (input.requestId !== undefined) headers['x-request-id'] = input.requestId;
        if (input.auth === 'garbage') headers.authorization = 'Bearer upk_0123456789abcdef_not-a-real-secret';
        else if (input.auth !== 'none') headers.authorization = `Bearer ${subject.keys[input.auth]}`;
        const response = await subject.app.request(`${path}${input.query}`, {
          method: route.method,
          headers,
          body: route.method === 'DELETE' && input.routeIndex % 2 === 0 ? undefined : input.body,
        });
        sent++;
        const text = await response.text();
        const key = `${route.method} ${route.pattern} ${response.status}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (response.status >= 500)
          throw new Error(`${route.method} ${path}${input.query} → ${response.status}: ${text}`);
        if (response.status >= 300) return;
        if (route.pattern === '/v1/readings') acceptedValues += (JSON.parse(text) as { accepted: number }).accepted;
        if (route.method === 'POST' && route.pattern === '/v1/alert-rules') rulesAdded++;
        if (route.method === 'DELETE' && route.pattern === '/v1/alert-rules/:id') rulesDeleted++;
        if (route.method === 'POST' && route.pattern === '/v1/webhooks') webhooksAdded++;
        if (route.method === 'DELETE' && route.pattern === '/v1/webhooks/:id') webhooksDeleted++;
        if (route.pattern === '/v1/alerts/:id/ack') alertStates.set(decodeURIComponent(input.param), 'acknowledged');
        if (route.pattern === '/v1/alerts/:id/resolve') alertStates.set(decodeURIComponent(input.param), 'resolved');
      }),
      { numRuns: RUNS, seed: Number(process.env.UPKEEP_FUZZ_SEED ?? 20260101) },
    );

    expect(sent).toBe(RUNS);
    if (process.env.UPKEEP_FUZZ_REPORT) console.log([...statuses.entries()].sort().join('\n'), acceptedValues);
    // Every write route was reached many times.
    for (const route of writeRoutes) {
      const hits = [...statuses.entries()]
        .filter(([key]) => key.startsWith(`${route.method} ${route.pattern} `))
        .reduce((sum, [, count]) => sum + count, 0);
      expect(hits, `${route.method} ${route.pattern}`).toBeGreaterThan(RUNS / writeRoutes.length / 2);
    }

    expect((await subject.app.request('/health')).status).toBe(200);
    expect((await subject.app.request('/ready')).status).toBe(200);

    const assets = await subject.store.listAssets({ limit: 100_000 });
    const storedValues = assets.reduce((sum, asset) => sum + asset.readingCount, 0);
    expect(storedValues).toBe(acceptedValues);
    expect((await subject.stores.alerts.listRules()).length).toBe(rulesBefore + rulesAdded - rulesDeleted);
    expect((await subject.stores.webhooks.listWebhooks()).length).toBe(webhooksAdded - webhooksDeleted);
    for (const [id, state] of alertStates)
      expect((await subject.stores.alerts.get(id)).state, `alert ${id}`).toBe(state);
    expect((await subject.stores.alerts.list({ limit: 1000 })).length).toBe(seededAlertIds.length);
    expect(await subject.stores.deadLetters.count()).toBe(0);
  }, 60_000);
});
