// Cost of API keys and metrics per request, in process (app.request, no sockets): GET /v1/models on a server
// without a model registry (answers 404 at once, so the store's time does not hide the middleware's) with no auth
// and no metrics, with metrics, and with metrics + API key + rate limit (key cached, as in steady state); and the
// time to scrape /metrics. Prints one JSON line (microseconds per request).
//
//   npm run build && node bench/auth.mjs [--requests 20000]
import { parseArgs } from 'node:util';
import { createApp } from '../dist/api/app.js';
import { DEFAULT_LIMITS } from '../dist/api/context.js';
import { ApiMetrics } from '../dist/api/middleware/metrics.js';
import { systemClock } from '../dist/core/clock.js';
import { createApiKey, MemoryApiKeyStore } from '../dist/store/api-keys.js';
import { DuckDBStore } from '../dist/store/duckdb.js';

const { values: options } = parseArgs({ options: { requests: { type: 'string', default: '20000' } } });
const requests = Number(options.requests);

const store = await DuckDBStore.open(':memory:', { threads: 1 });
const keys = new MemoryApiKeyStore();
const { key } = await createApiKey(keys, { name: 'bench', role: 'read', createdAt: Date.now() });
const base = { store, clock: systemClock, limits: DEFAULT_LIMITS, version: 'bench' };
const apps = {
  open: createApp(base),
  metrics: createApp({ ...base, metrics: new ApiMetrics({ processMetrics: false }) }),
  auth: createApp({
    ...base,
    metrics: new ApiMetrics({ processMetrics: false }),
    auth: { keys, rateLimit: { perSecond: 1e9, burst: 1e9 } },
  }),
};
const headers = { authorization: `Bearer ${key}` };

async function microsPerRequest(app) {
  for (let i = 0; i < 500; i++) await app.request('/v1/models', { headers });
  const started = process.hrtime.bigint();
  for (let i = 0; i < requests; i++) {
    const response = await app.request('/v1/models', { headers });
    if (response.status !== 404) throw new Error(`status ${response.status}`);
  }
  return Number(process.hrtime.bigint() - started) / 1e3 / requests;
}

const result = { bench: 'auth', requests };
for (const [name, app] of Object.entries(apps)) result[`${name}_us`] = Number((await microsPerRequest(app)).toFixed(1));
const scrapeStarted = process.hrtime.bigint();
const scraped = await (await apps.auth.request('/metrics', { headers })).text();
result.scrape_ms = Number((Number(process.hrtime.bigint() - scrapeStarted) / 1e6).toFixed(2));
result.scrape_bytes = scraped.length;
await store.close();
console.log(JSON.stringify(result));
