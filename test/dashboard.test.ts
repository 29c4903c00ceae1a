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
import { JobRunner } from '../src/jobs/runner.js';
import { createApiKey, MemoryApiKeyStore } from '../src/store/api-keys.js';
import { DuckDBStore } from '../src/store/duckdb.js';
import { DuckDBAlerts } from '../src/store/duckdb-alerts.js';
import { DuckDBJobStore } from '../src/store/duckdb-jobs.js';
import { DuckDBModelRegistry } from '../src/store/duckdb-registry.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
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

/** Two versions of a small separable classifier, trained through the API; the first becomes active. */
async function trainTwoVersions(url: string): Promise<void> {
  const lines = ['machine_id,x1,x2,failure'];
  for (let i = 0; i < 40; i++) {
    const x1 = (i % 8) - 3.5;
    const x2 = Math.floor(i / 8) - 2;
    lines.push(`m-${i},${x1},${x2},${x1 + 0.5 * x2 > 0 ? 1 : 0}`);
  }
  const request = {
    name: 'failure-risk',
    data: { csv: `${lines.join('\n')}\n` },
    target: 'failure',
    drop: ['machine_id'],
    model: 'logistic',
    task: 'classification',
  };
  for (let version = 1; version <= 2; version++) {
    const response = await fetch(`${url}/v1/models`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(response.status).toBe(202);
    const { job_id: jobId } = (await response.json()) as { job_id: string };
    for (let attempt = 0; ; attempt++) {
      const job = (await (await fetch(`${url}/v1/jobs/${jobId}`)).json()) as { state: string; error?: string };
      if (job.state === 'succeeded') break;
      if (job.state === 'failed' || attempt > 600) throw new Error(`training failed: ${job.error ?? job.state}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
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

  beforeAll(async () => {
    if (!existsSync('web/dist/index.html')) execFileSync('npx', ['vite', 'build', 'web', '--logLevel', 'warn']);
    mkdirSync(ARTIFACTS, { recursive: true });
    store = await DuckDBStore.open(':memory:', { threads: 1 });
    const registry = await DuckDBModelRegistry.open(store);
    jobs = await JobRunner.open(await DuckDBJobStore.open(store));
    const history = new FleetSimulator({ machines: MACHINES, clock: systemClock });
    await store.upsertAssets(history.assets());
    assetIds = history.machines.map((machine) => machine.id);
    const now = Math.floor(Date.now() / 1000) * 1000;
    for (let minute = HISTORY_MINUTES; minute > 0; minute--) {
      const batch = [];
      for (let second = 0; second < 60; second += 5)
        batch.push(...history.readingsAt(now - minute * 60_000 + second * 1000));
      await store.appendReadings(batch);
    }
    alerts = await DuckDBAlerts.open(store);
    server = await startServer({ store, registry, jobs, alerts, port: 0, onShutdown: () => jobs.close() });
    simulation = await startSimulation(store, MACHINES);
    await trainTwoVersions(server.url);
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

  it('fleet page: lists the assets, searches, sorts and updates live, without console errors', async () => {
    const { page, errors } = await open(1280, 800);
    await page.goto(server.url);
    await page.waitForSelector('tbody tr[data-id]');
    expect(await page.locator('tbody tr[data-id]').count()).toBe(MACHINES);
    const text = await page.locator('table.fleet').textContent();
    for (const id of assetIds) expect(text).toContain(id);
    // (Browser-side code as strings: the tests are type-checked without the DOM library.)
    await page.waitForFunction("document.querySelector('#live')?.textContent?.includes('Live')");
    // Latest values arrive from the event stream: every temperature cell holds a number.
    await page.waitForFunction(
      "[...document.querySelectorAll('tbody tr[data-id]')].every((row) => /\\d/.test(row.querySelectorAll('td.num')[0]?.textContent ?? ''))",
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-fleet-1280.png') });

    await page.getByLabel('Search').fill(assetIds[2]);
    await expect.poll(() => page.locator('tbody tr[data-id]').count()).toBe(1);
    expect(await page.locator('#fleet-summary').textContent()).toContain(`Showing 1 of ${MACHINES} assets`);
    await page.getByLabel('Search').fill('no-such-asset');
    await expect.poll(() => page.locator('.no-match').isVisible()).toBe(true);
    await page.getByLabel('Search').fill('');

    await page.locator('th[data-sort="id"] button').click();
    expect(await page.locator('th[data-sort="id"]').getAttribute('aria-sort')).toBe('descending');
    const first = await page.locator('tbody tr[data-id]').first().getAttribute('data-id');
    expect(first).toBe([...assetIds].sort().at(-1));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('asset page: a chart per metric, range switch and live values, without console errors', async () => {
    const { page, errors } = await open(1280, 800);
    await page.goto(server.url);
    await page.locator(`a[href="/asset/${assetIds[0]}"]`).click();
    await page.waitForURL(`**/asset/${assetIds[0]}`);
    const detail = (await (await fetch(`${server.url}/v1/assets/${assetIds[0]}`)).json()) as { metrics: string[] };
    await expect.poll(() => page.locator('.chart .uplot').count(), { timeout: 15_000 }).toBe(detail.metrics.length);
    expect(await page.locator('#latest').textContent()).toMatch(/Temperature\s+\d/);
    const before = await page.locator('#latest').textContent();
    await page.getByRole('button', { name: '6 hours' }).click();
    expect(await page.getByRole('button', { name: '6 hours' }).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.locator('.chart .uplot').count(), { timeout: 15_000 }).toBe(detail.metrics.length);
    // New values arrive over the event stream.
    await expect.poll(() => page.locator('#latest').textContent(), { timeout: 15_000 }).not.toBe(before);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-asset-1280.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('models page: lists the versions and promotes one', async () => {
    const { page, errors } = await open(1280, 800);
    await page.goto(`${server.url}/models`);
    await page.waitForSelector('table.models');
    expect(await page.locator('table.models tbody tr').count()).toBe(2);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-models-1280.png') });
    await page.getByRole('button', { name: 'Promote failure-risk@2 to active' }).click();
    await expect.poll(() => page.locator('#models-status').textContent()).toContain('failure-risk v2 is now active');
    await page.waitForSelector('button[data-promote="failure-risk@1"]');
    const versions = (await (await fetch(`${server.url}/v1/models`)).json()) as {
      models: { id: string; active: boolean }[];
    };
    expect(versions.models.find((m) => m.id === 'failure-risk@2')?.active).toBe(true);
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
    await page.locator('#alerts-operator').fill('ana');
    await page.locator('#alerts-comment').fill('on it');
    await page.getByRole('button', { name: `Acknowledge alert ${alert.id}` }).click();
    await expect.poll(() => page.locator('#alerts-status').textContent()).toContain(`Alert ${alert.id} acknowledged`);
    expect((await alerts.get(alert.id)).acknowledged).toMatchObject({ by: 'ana', comment: 'on it' });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-alerts-1280.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('is readable at phone width', async () => {
    const { page, errors } = await open(390, 844);
    await page.goto(server.url);
    await page.waitForSelector('tbody tr[data-id]');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-fleet-phone.png') });
    await page.goto(`${server.url}/asset/${assetIds[1]}`);
    await expect.poll(() => page.locator('.chart .uplot').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-asset-phone.png'), fullPage: true });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
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
