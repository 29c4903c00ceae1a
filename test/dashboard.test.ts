import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app.js';
import { DEFAULT_LIMITS } from '../src/api/context.js';
import { dashboardRoutes } from '../src/api/routes/dashboard.js';
import { type RunningServer, startServer } from '../src/api/server.js';
import { type Simulation, startSimulation } from '../src/cli/commands/serve.js';
import { systemClock } from '../src/core/clock.js';
import { FleetSimulator } from '../src/io/fleet-simulator.js';
import { ensureDefaultModels, trainingRows } from '../src/jobs/default-models.js';
import { JobRunner } from '../src/jobs/runner.js';
import { createApiKey, MemoryApiKeyStore } from '../src/store/api-keys.js';
import { DuckDBStore } from '../src/store/duckdb.js';
import { DuckDBAlerts } from '../src/store/duckdb-alerts.js';
import { DuckDBJobStore } from '../src/store/duckdb-jobs.js';
import { DuckDBModelRegistry } from '../src/store/duckdb-registry.js';
import { Pipeline } from '../src/stream/pipeline.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const AXE = 'node_modules/axe-core/axe.min.js';
const MACHINES = 6;
/** Minutes of history stored before the browser opens, so that the charts have something to draw. */
const HISTORY_MINUTES = 20;

function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `${CHROMIUM} is missing`;
  if (process.env.UPKEEP_REQUIRE_SERVICES === '1') throw new Error(`${message} (UPKEEP_REQUIRE_SERVICES=1)`);
  console.warn(`skipping the dashboard browser tests: ${message}`);
  return false;
}

/** Training rows of the default failure-risk model as CSV (what a user would upload on the Models page). */
function failureRiskCsv(simulator: FleetSimulator, now: number): string {
  const rows = trainingRows(simulator, now - 6 * 3_600_000, now, 120_000);
  const columns = ['asset', 'kind', 'temperature', 'vibration', 'pressure', 'rpm', 'failure_soon'];
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((column) => row[column] ?? '').join(','));
  return `${lines.join('\n')}\n`;
}

/** Serious or critical accessibility violations axe-core finds on the page, as "rule: target" lines. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate<{ id: string; impact: string | null; nodes: { target: unknown[] }[] }[]>(
    'axe.run(document, { resultTypes: ["violations"] }).then((result) => result.violations)',
  );
  return found
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => String(node.target)).join(' | ')}`);
}

describe('dashboard routes', () => {
  it('serves a page saying how to build the dashboard when it is not built, and leaves API paths to the API', async () => {
    const router = dashboardRoutes({ root: '/nonexistent/upkeep-web-dist' });
    const page = await router.request('/', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('Run <code>npm run build</code>');
    const api = await router.request('/v1/nothing', { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    const json = await router.request('/asset/pump-001', { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
    const outside = await router.request('/../../etc/passwd.txt');
    expect(outside.status).toBe(404);
  });
});

const runBrowser = chromiumAvailable();

describe.skipIf(!runBrowser)('dashboard in Chromium', () => {
  let store: DuckDBStore;
  let jobs: JobRunner;
  let server: RunningServer;
  let simulation: Simulation;
  let browser: Browser;
  let assetIds: string[];
  let alerts: DuckDBAlerts;
  let history: FleetSimulator;
  let now: number;
  let pipeline: Pipeline;

  beforeAll(async () => {
    if (!existsSync('web/dist/index.html')) execFileSync('npx', ['vite', 'build', 'web', '--logLevel', 'warn']);
    mkdirSync(ARTIFACTS, { recursive: true });
    store = await DuckDBStore.open(':memory:', { threads: 1 });
    const registry = await DuckDBModelRegistry.open(store);
    jobs = await JobRunner.open(await DuckDBJobStore.open(store));
    history = new FleetSimulator({ machines: MACHINES, clock: systemClock });
    await store.upsertAssets(history.assets());
    assetIds = history.machines.map((machine) => machine.id);
    now = Math.floor(Date.now() / 1000) * 1000;
    for (let minute = HISTORY_MINUTES; minute > 0; minute--) {
      const batch = [];
      for (let second = 0; second < 60; second += 5)
        batch.push(...history.readingsAt(now - minute * 60_000 + second * 1000));
      await store.appendReadings(batch);
    }
    // The default models, as a first `npm start` trains them (history is already stored, so none is added).
    const defaults = await ensureDefaultModels({
      store,
      registry,
      simulator: history,
      clock: systemClock,
      sampleStepMs: 300_000,
    });
    expect(defaults.trained).toEqual(['failure-risk@1', 'rul@1']);
    alerts = await DuckDBAlerts.open(store);
    pipeline = new Pipeline({ store });
    server = await startServer({ store, registry, jobs, alerts, pipeline, port: 0, onShutdown: () => jobs.close() });
    simulation = await startSimulation(pipeline.storeFor('simulator'), MACHINES);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await simulation?.stop();
    await server?.close();
  });

  /** A page that records console errors and uncaught exceptions. */
  async function open(width: number, height: number): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width, height } });
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    return { page, errors };
  }

  it('serves the fleet in one call: every asset with status, failure risk and RUL from the default models', async () => {
    const fleet = (await (await fetch(`${server.url}/v1/fleet`)).json()) as {
      models: { failure_risk: string | null; rul: string | null };
      assets: {
        id: string;
        failure_risk: number | null;
        rul: { hours: number; lower: number; upper: number } | null;
      }[];
    };
    expect(fleet.models).toEqual({ failure_risk: 'failure-risk@1', rul: 'rul@1' });
    expect(fleet.assets.map((a) => a.id).sort()).toEqual([...assetIds].sort());
    for (const asset of fleet.assets) {
      expect(asset.failure_risk).toBeGreaterThanOrEqual(0);
      expect(asset.failure_risk).toBeLessThanOrEqual(1);
      expect(asset.rul?.lower).toBeLessThanOrEqual(asset.rul?.hours ?? Number.NaN);
      expect(asset.rul?.upper).toBeGreaterThanOrEqual(asset.rul?.hours ?? Number.NaN);
    }
    const one = (await (await fetch(`${server.url}/v1/fleet/${assetIds[0]}`)).json()) as {
      why: { model_id: string; contributions: { feature: string; value: number }[] } | null;
    };
    expect(one.why?.model_id).toBe('failure-risk@1');
    expect(one.why?.contributions.length).toBeGreaterThan(0);
  });

  it('downsamples readings on request, keeping the extremes of each metric', async () => {
    const id = assetIds[0];
    const all = (await (
      await fetch(`${server.url}/v1/assets/${id}/readings?metric=temperature&limit=100000`)
    ).json()) as {
      readings: { ts: string; value: number }[];
    };
    const reduced = (await (
      await fetch(`${server.url}/v1/assets/${id}/readings?metric=temperature&points=40`)
    ).json()) as { readings: { ts: string; value: number }[] };
    expect(all.readings.length).toBeGreaterThan(200);
    expect(reduced.readings.length).toBeLessThanOrEqual(40);
    expect(reduced.readings.length).toBeGreaterThan(10);
    const values = (rows: { value: number }[]) => rows.map((row) => row.value);
    expect(Math.max(...values(reduced.readings))).toBe(Math.max(...values(all.readings)));
    expect(Math.min(...values(reduced.readings))).toBe(Math.min(...values(all.readings)));
    const times = reduced.readings.map((row) => Date.parse(row.ts));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('streams the fleet over Server-Sent Events: every asset first, then the changed ones', async () => {
    const response = await fetch(`${server.url}/v1/events`);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const events: { full: boolean; assets: { id: string; latest: Record<string, unknown> }[] }[] = [];
    let buffer = '';
    const deadline = Date.now() + 10_000;
    while (events.length < 2 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((line) => line.startsWith('data: '));
        if (block.includes('event: fleet') && data) events.push(JSON.parse(data.slice(6)));
      }
    }
    await reader.cancel();
    expect(events.length).toBe(2);
    expect(events[0].full).toBe(true);
    expect(events[0].assets.map((a) => a.id).sort()).toEqual([...assetIds].sort());
    expect(Object.keys(events[0].assets[0].latest)).toContain('temperature');
    expect(events[1].full).toBe(false);
    expect(events[1].assets.length).toBeGreaterThan(0);
  });

  it('fleet page: lists the assets with risk and RUL, searches, filters, sorts and updates live', async () => {
    const { page, errors } = await open(1280, 800);
    await page.goto(server.url);
    await page.waitForSelector('tbody tr[data-id]');
    expect(await page.locator('tbody tr[data-id]').count()).toBe(MACHINES);
    const text = await page.locator('table.fleet').textContent();
    for (const id of assetIds) expect(text).toContain(id);
    // (Browser-side code as strings: the tests are type-checked without the DOM library.)
    await page.waitForFunction("document.querySelector('#live')?.textContent?.includes('Live')");
    // Every row shows a failure risk in percent and a remaining life.
    await page.waitForFunction(
      "[...document.querySelectorAll('tbody tr[data-id]')].every((row) => /%/.test(row.querySelector('td.risk')?.textContent ?? '') && /(min|h)/.test(row.querySelector('td.col-rul')?.textContent ?? ''))",
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-fleet-1280.png') });

    await page.getByLabel('Search').fill(assetIds[2]);
    await expect.poll(() => page.locator('tbody tr[data-id]').count()).toBe(1);
    expect(await page.locator('#fleet-summary').textContent()).toContain(`Showing 1 of ${MACHINES} assets`);
    await page.getByLabel('Search').fill('no-such-asset');
    await expect.poll(() => page.locator('.no-match').isVisible()).toBe(true);
    await page.getByLabel('Search').fill('');
    const pumps = history.machines.filter((machine) => machine.kind === 'pump').length;
    await page.getByLabel('Kind').selectOption('pump');
    await expect.poll(() => page.locator('tbody tr[data-id]').count()).toBe(pumps);
    await page.getByLabel('Kind').selectOption('');

    await page.locator('th[data-sort="id"] button').click();
    expect(await page.locator('th[data-sort="id"]').getAttribute('aria-sort')).toBe('ascending');
    await page.locator('th[data-sort="id"] button').click();
    expect(await page.locator('th[data-sort="id"]').getAttribute('aria-sort')).toBe('descending');
    await expect
      .poll(() => page.locator('tbody tr[data-id]').first().getAttribute('data-id'))
      .toBe([...assetIds].sort().at(-1));
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('asset page: health, the why, RUL trajectory, a chart per metric, range switch and live values', async () => {
    const { page, errors } = await open(1280, 800);
    await page.goto(server.url);
    await page.locator(`a[href="/asset/${assetIds[0]}"]`).click();
    await page.waitForURL(`**/asset/${assetIds[0]}`);
    const detail = (await (await fetch(`${server.url}/v1/assets/${assetIds[0]}`)).json()) as { metrics: string[] };
    await expect
      .poll(() => page.locator('#charts .chart .uplot').count(), { timeout: 15_000 })
      .toBe(detail.metrics.length);
    await expect.poll(() => page.locator('#trajectory .uplot').count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.locator('ul.why li').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await page.locator('#health').textContent()).toMatch(/Failure risk\s*(<1|\d+) %/);
    expect(await page.locator('#latest').textContent()).toMatch(/Temperature\s+\d/);
    const before = await page.locator('#latest').textContent();
    await page.getByRole('button', { name: '1 hour' }).click();
    expect(await page.getByRole('button', { name: '1 hour' }).getAttribute('aria-pressed')).toBe('true');
    await expect
      .poll(() => page.locator('#charts .chart .uplot').count(), { timeout: 15_000 })
      .toBe(detail.metrics.length);
    // New values arrive over the event stream.
    await expect.poll(() => page.locator('#latest').textContent(), { timeout: 15_000 }).not.toBe(before);
    // Keyboard zoom: '+' on a focused chart halves its visible span. The charts are listed as their data arrive, so
    // the one measured is the one in the first plot holder, the one focused.
    const span = `(() => {
      const holder = document.querySelector('#charts .plot');
      const { plot } = window.upkeepCharts().find((chart) => holder.contains(chart.plot.root));
      return plot.scales.x.max - plot.scales.x.min;
    })()`;
    const wide = await page.evaluate<number>(span);
    await page.locator('#charts .plot').first().focus();
    await page.keyboard.press('+');
    expect((await page.evaluate<number>(span)) / wide).toBeCloseTo(0.5, 2);
    await page.keyboard.press('0');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-asset-1280.png'), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('models page: shows curves and the confusion matrix, trains a version as a job and promotes it', async () => {
    const { page, errors } = await open(1280, 800);
    await page.goto(`${server.url}/models`);
    await page.waitForSelector('table.models');
    expect(await page.locator('table.models tbody tr').count()).toBe(2);
    await page.waitForSelector('table.confusion');
    expect(await page.locator('#detail-body svg[aria-label^="ROC curve"]').count()).toBe(1);
    expect(await page.locator('#detail-body svg[aria-label^="Precision-recall"]').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-models-1280.png'), fullPage: true });
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('Model name').fill('failure-risk');
    await page.getByLabel('Target column').fill('failure_soon');
    await page.locator('select[name="model"]').selectOption('logistic');
    await page.getByLabel('Columns to leave out').fill('asset');
    await page.getByLabel('Training data (CSV with a header row)').setInputFiles({
      name: 'failures.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(failureRiskCsv(history, now)),
    });
    await page.getByRole('button', { name: 'Start training' }).click();
    await expect
      .poll(() => page.locator('#models-status').textContent(), { timeout: 30_000 })
      .toContain('Training finished: failure-risk@2');
    await page.getByRole('button', { name: 'Promote failure-risk@2 to active' }).click();
    await expect.poll(() => page.locator('#models-status').textContent()).toContain('failure-risk v2 is now active');
    await page.waitForSelector('button[data-promote="failure-risk@1"]');
    const versions = (await (await fetch(`${server.url}/v1/models`)).json()) as {
      models: { id: string; active: boolean }[];
    };
    expect(versions.models.find((m) => m.id === 'failure-risk@2')?.active).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('alerts page: filters, acknowledges with a comment and resolves', async () => {
    const { page, errors } = await open(1280, 800);
    await page.goto(`${server.url}/alerts`);
    await page.waitForSelector('text=No alerts yet');
    const { alert } = await alerts.open({
      ruleId: '1',
      asset: assetIds[0] ?? 'm',
      severity: 'major',
      message: 'temperature = 91 above 80 (bearing hot)',
      value: 91,
      openedAt: Date.now(),
    });
    await page.reload();
    await page.waitForSelector(`tr[data-alert="${alert.id}"]`);
    await page.getByLabel('Severity').selectOption('minor');
    await page.waitForSelector('text=No alerts yet');
    await page.getByLabel('Severity').selectOption('');
    await page.waitForSelector(`tr[data-alert="${alert.id}"]`);
    await page.locator('#alerts-operator').fill('ana');
    await page.locator('#alerts-comment').fill('on it');
    await page.getByRole('button', { name: `Acknowledge alert ${alert.id}` }).click();
    await expect.poll(() => page.locator('#alerts-status').textContent()).toContain(`Alert ${alert.id} acknowledged`);
    expect((await alerts.get(alert.id)).acknowledged).toMatchObject({ by: 'ana', comment: 'on it' });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-alerts-1280.png') });
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('#alerts-comment').fill('bearing replaced');
    await page.getByRole('button', { name: `Resolve alert ${alert.id}` }).click();
    await expect.poll(() => page.locator('#alerts-status').textContent()).toContain(`Alert ${alert.id} resolved`);
    const resolved = await alerts.get(alert.id);
    expect(resolved.state).toBe('resolved');
    expect(resolved.resolved).toMatchObject({ by: 'ana', comment: 'bearing replaced' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('ingestion page: shows the rate and where readings came from', async () => {
    const { page, errors } = await open(1280, 800);
    await page.goto(`${server.url}/ingestion`);
    await page.waitForSelector('#ingest-stats');
    await expect.poll(() => page.locator('#ingest-summary').textContent(), { timeout: 10_000 }).toMatch(/readings\/s/);
    expect(await page.locator('#sources').textContent()).toContain('simulator');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-ingestion-1280.png') });
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('is readable at phone width', async () => {
    const { page, errors } = await open(390, 844);
    for (const [path, name] of [
      ['/', 'fleet'],
      [`/asset/${assetIds[1]}`, 'asset'],
      ['/alerts', 'alerts'],
      ['/models', 'models'],
      ['/ingestion', 'ingestion'],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      await page.waitForSelector('main[data-ready="true"]', { timeout: 15_000 });
      if (name === 'asset') {
        await expect.poll(() => page.locator('.chart .uplot').count(), { timeout: 15_000 }).toBeGreaterThan(0);
      }
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}-phone.png`), fullPage: true });
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow, name).toBeLessThanOrEqual(0);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('asks for an API key when the server requires one, then shows the fleet with it', async () => {
    const keys = new MemoryApiKeyStore();
    const { key } = await createApiKey(keys, { name: 'dashboard', role: 'read', createdAt: Date.now() });
    // A second app on the same store, served here so that closing it leaves the store open.
    const app = createApp({ store, clock: systemClock, limits: DEFAULT_LIMITS, version: 'test', auth: { keys } });
    const httpServer = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const secured = { url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` };
    const { page, errors } = await open(1280, 800);
    try {
      await page.goto(secured.url);
      await page.waitForSelector('dialog[open]');
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-key-dialog-1280.png') });
      await page.getByRole('textbox', { name: 'API key' }).fill(key);
      await page.getByRole('button', { name: 'Use this key' }).click();
      await expect.poll(() => page.locator('tbody tr[data-id]').count(), { timeout: 15_000 }).toBe(MACHINES);
      await page.waitForFunction("document.querySelector('#live')?.textContent?.includes('Live')");
      // The browser reports the refused calls made before the key was entered; nothing else may fail.
      expect(errors.filter((error) => !/401/.test(error))).toEqual([]);
    } finally {
      await page.close();
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    }
  });
});
