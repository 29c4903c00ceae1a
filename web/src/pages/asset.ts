import uPlot from 'uplot';
import {
  type Alert,
  ApiError,
  type AssetDetail,
  type FleetRow,
  getAsset,
  getFleetAsset,
  getHealth,
  getSeries,
  getTrajectory,
  listAlerts,
  type RulEstimate,
  type Why,
} from '../api';
import { SeriesChart } from '../chart';
import {
  escapeHtml,
  formatAgo,
  formatHours,
  formatPercent,
  formatTime,
  formatValue,
  metricLabel,
  orderMetrics,
  unitOf,
} from '../format';
import { live } from '../live';
import type { Page } from '../router';

const RANGES = [
  { key: '1h', label: '1 hour', ms: 3_600_000 },
  { key: '6h', label: '6 hours', ms: 6 * 3_600_000 },
  { key: '24h', label: '24 hours', ms: 24 * 3_600_000 },
  { key: '7d', label: '7 days', ms: 7 * 24 * 3_600_000 },
] as const;
type RangeKey = (typeof RANGES)[number]['key'];
const CHART_HEIGHT = 180;
const LINE = '#2f6f95';
/** Values per metric asked of the server for a range (it keeps the extremes of each time column). */
const POINTS_PER_PX = 4;

interface ChartEntry {
  metric: string;
  chart: SeriesChart;
}

const STATUS_TONE = { ok: 'ok', watch: 'warn', alarm: 'alarm' } as const;

/** A RUL from `GET /v1/assets/{id}/health` (the RUL pipeline of task rul: in cycles, rows of readings). */
interface CycleRul {
  value: number;
  lower: number;
  upper: number;
  level: number;
  model: string;
}

function readHealthRul(rul: unknown): CycleRul | null {
  if (rul === null || typeof rul !== 'object') return null;
  const record = rul as Record<string, unknown>;
  const value = record.value;
  if (typeof value !== 'number') return null;
  const number = (key: string, fallback: number) =>
    typeof record[key] === 'number' ? (record[key] as number) : fallback;
  return {
    value,
    lower: number('lower', value),
    upper: number('upper', value),
    level: number('level', 0.9),
    model: typeof record.model === 'string' ? record.model : 'the RUL model',
  };
}

function whyHtml(why: Why | null, row: FleetRow | undefined): string {
  if (!why || why.contributions.length === 0) {
    return `<p class="muted">${
      row?.failure_risk == null
        ? 'No failure-risk model scores this asset yet. Train one on the Models page; its explanation appears here.'
        : 'The active failure-risk model gives no explanation (gradient-boosted trees and linear models do).'
    }</p>`;
  }
  const shown = why.contributions.filter((c) => Math.abs(c.value) >= 0.005);
  const largest = Math.max(...shown.map((c) => Math.abs(c.value)), 1e-9);
  /** "Vibration = 7.98"; a one-hot level reads "Kind is not motor". */
  const describe = (feature: string) => {
    const equals = feature.indexOf('=');
    if (equals > 0) {
      const base = feature.slice(0, equals);
      const level = feature.slice(equals + 1);
      const actual = why.input[base];
      return `${escapeHtml(metricLabel(base))} ${actual === level ? 'is' : 'is not'} ${escapeHtml(level)}`;
    }
    const value = why.input[feature];
    const text =
      value === undefined
        ? ''
        : value === null
          ? 'missing'
          : typeof value === 'number'
            ? formatValue(value)
            : String(value);
    return `${escapeHtml(metricLabel(feature))}${text ? ` <small>= ${escapeHtml(text)}</small>` : ''}`;
  };
  return `<p class="muted">Largest contributions to the log-odds of failure from <code>${escapeHtml(why.model_id)}</code>;
    red raises the risk, green lowers it.</p>
    <ul class="why" aria-label="Feature contributions">${shown
      .map((c) => {
        const width = Math.round((Math.abs(c.value) / largest) * 100);
        const tone = c.value > 0 ? 'up' : 'down';
        return `<li><span class="why-feature">${describe(c.feature)}</span>
          <span class="why-bar ${tone}" aria-hidden="true"><span style="width:${width}%"></span></span>
          <span class="why-value">${c.value > 0 ? '+' : '−'}${Math.abs(c.value).toFixed(2)}</span></li>`;
      })
      .join('')}</ul>`;
}

/** Asset: health, the why, a chart per metric over a chosen range with anomalies and alerts, RUL over time. */
export const assetPage: Page = (main, params) => {
  const id = params.id;
  document.title = `${id} · Upkeep`;
  let range: RangeKey = (sessionStorage.getItem('upkeep.range') as RangeKey | null) ?? '6h';
  if (!RANGES.some((r) => r.key === range)) range = '6h';
  let asset: AssetDetail | undefined;
  let row: FleetRow | undefined;
  let healthRul: CycleRul | null = null;
  let alerts: Alert[] = [];
  let charts: ChartEntry[] = [];
  let trajectory: uPlot | undefined;
  let disposed = false;
  let loadToken = 0;

  main.innerHTML = `
    <nav class="crumbs" aria-label="Breadcrumb"><a href="/">Fleet</a> <span aria-hidden="true">/</span> <span aria-current="page">${escapeHtml(id)}</span></nav>
    <div class="page-head"><h1>${escapeHtml(id)} <span id="asset-status"></span></h1><p class="summary" id="asset-summary"></p></div>
    <div id="asset-body"><section class="state card" role="status"><p>Loading asset…</p></section></div>`;
  const body = main.querySelector('#asset-body') as HTMLElement;
  const summary = main.querySelector('#asset-summary') as HTMLElement;
  const statusHolder = main.querySelector('#asset-status') as HTMLElement;

  const resize = new ResizeObserver(() => {
    for (const entry of charts) entry.chart.resize((entry.chart.plot.root.parentElement as HTMLElement).clientWidth);
    if (trajectory) {
      const width = (trajectory.root.parentElement as HTMLElement).clientWidth;
      if (width > 0 && Math.abs(width - trajectory.width) > 1) trajectory.setSize({ width, height: CHART_HEIGHT });
    }
  });

  const renderHealth = () => {
    const holder = body.querySelector('#health') as HTMLElement | null;
    if (!holder || !asset) return;
    const now = Date.now();
    const status = row?.status ?? null;
    statusHolder.innerHTML = status
      ? `<span class="badge ${STATUS_TONE[status]}">${status === 'ok' ? 'OK' : status === 'watch' ? 'Watch' : 'Alarm'}</span>`
      : '<span class="badge neutral">Scoring…</span>';
    const rul = row?.rul ?? null;
    const cycles = healthRul
      ? `<div class="stat"><dt>Remaining life in cycles</dt><dd><span class="value">${Math.round(healthRul.value)}</span>
        <span class="when">${Math.round(healthRul.level * 100)} % interval ${Math.round(healthRul.lower)} – ${Math.round(healthRul.upper)}, from ${escapeHtml(healthRul.model)}</span></dd></div>`
      : '';
    const openAlerts = alerts.filter((a) => a.state !== 'resolved').length;
    holder.innerHTML = `
      <div class="stat"><dt>Anomaly likelihood</dt><dd><span class="value">${row?.anomaly == null ? '—' : formatPercent(row.anomaly)}</span>
        <span class="when">${row?.anomaly == null ? 'not scored yet' : 'of the latest values'}</span></dd></div>
      <div class="stat"><dt>Failure risk</dt><dd><span class="value">${formatPercent(row?.failure_risk)}</span>
        <span class="when">${row?.failure_risk == null ? 'no failure-risk model' : 'within 30 minutes'}</span></dd></div>
      <div class="stat"><dt>Remaining useful life</dt><dd><span class="value">${rul ? (rul.capped ? `> ${formatHours(rul.hours)}` : formatHours(rul.hours)) : '—'}</span>
        <span class="when">${rul ? (rul.capped ? 'no failure in sight' : `90 % interval ${formatHours(rul.lower)} – ${formatHours(rul.upper)}`) : 'no RUL model'}</span></dd></div>
      <div class="stat"><dt>Open alerts</dt><dd><span class="value">${openAlerts}</span>
        <span class="when"><a href="/alerts?asset=${encodeURIComponent(id)}">see alerts</a></span></dd></div>${cycles}`;
    const latest = body.querySelector('#latest') as HTMLElement | null;
    if (latest) {
      latest.innerHTML = asset.metrics
        .map((metric) => {
          const value = asset?.latest[metric];
          const unit = unitOf(metric);
          return `<div class="stat"><dt>${escapeHtml(metricLabel(metric))}</dt>
          <dd><span class="value">${formatValue(value?.value)}</span>${unit ? ` <span class="unit">${escapeHtml(unit)}</span>` : ''}
          <span class="when">${value ? formatAgo(Date.parse(value.ts), now) : 'no value'}</span></dd></div>`;
        })
        .join('');
    }
    const lastTs = asset.last_ts ? Date.parse(asset.last_ts) : null;
    const { kind, site } = asset.attributes;
    summary.textContent = [kind, site, `last seen ${formatAgo(lastTs, now)}`].filter(Boolean).join(' · ');
  };

  const renderAlerts = () => {
    const holder = body.querySelector('#asset-alerts') as HTMLElement | null;
    if (!holder) return;
    if (alerts.length === 0) {
      holder.innerHTML = '<p class="muted">No alerts for this asset.</p>';
      return;
    }
    holder.innerHTML = `<ul class="alert-list">${alerts
      .slice(0, 8)
      .map(
        (
          a,
        ) => `<li><span class="badge ${a.state === 'resolved' ? 'ok' : a.state === 'acknowledged' ? 'warn' : 'alarm'}">${escapeHtml(a.state)}</span>
          <span>${escapeHtml(a.message)}</span> <span class="muted">${formatTime(Date.parse(a.opened_at))}</span></li>`,
      )
      .join('')}</ul><p><a href="/alerts?asset=${encodeURIComponent(id)}">All alerts of ${escapeHtml(id)}</a></p>`;
  };

  const alertPeriods = (): [number, number][] =>
    alerts.map((a) => {
      const end = a.resolved ? Date.parse(a.resolved.at) : Date.now();
      return [Date.parse(a.opened_at) / 1000, end / 1000];
    });

  const destroyCharts = () => {
    for (const entry of charts) entry.chart.destroy();
    charts = [];
    trajectory?.destroy();
    trajectory = undefined;
  };

  const windowOf = (): [number, number] => {
    const span = RANGES.find((r) => r.key === range)?.ms ?? RANGES[0].ms;
    const lastTs = asset?.last_ts ? Date.parse(asset.last_ts) : Date.now();
    // An asset that stopped reporting is shown up to its last value rather than as an empty chart.
    const end = lastTs < Date.now() - span ? lastTs : Date.now();
    return [end - span, end];
  };

  /** After a zoom, the visible window again at full detail (the overview holds only the extremes per column). */
  const refine = async (metric: string, chart: SeriesChart, min: number, max: number, reset: boolean) => {
    const token = loadToken;
    const [from, to] = reset ? windowOf() : [min * 1000, max * 1000];
    const width = chart.plot.width;
    try {
      const [xs, ys] = await getSeries(id, metric, from, to, width * POINTS_PER_PX);
      if (disposed || token !== loadToken || xs.length === 0) return;
      chart.setData(xs, ys);
      if (!reset) chart.view(min, max);
    } catch {
      // keep the overview
    }
  };

  const loadCharts = async () => {
    if (!asset) return;
    const token = ++loadToken;
    destroyCharts();
    const holder = body.querySelector('#charts') as HTMLElement;
    holder.setAttribute('aria-busy', 'true');
    holder.innerHTML = asset.metrics
      .map(
        (metric) => `<figure class="chart card" data-metric="${escapeHtml(metric)}">
          <figcaption>${escapeHtml(metricLabel(metric))}${unitOf(metric) ? ` <small>${escapeHtml(unitOf(metric))}</small>` : ''}</figcaption>
          <div class="plot" role="img" aria-label="${escapeHtml(metricLabel(metric))} over the selected range; red rings mark anomalies, red bands alert periods"><p class="muted">Loading…</p></div></figure>`,
      )
      .join('');
    if (asset.metrics.length === 0) holder.innerHTML = '<p class="state card">This asset has no metrics yet.</p>';
    const [from, to] = windowOf();
    const sync = uPlot.sync(`asset-${id}`);
    await Promise.all([
      loadTrajectory(token, from, to),
      ...asset.metrics.map(async (metric) => {
        const figure = holder.querySelector(`figure[data-metric="${CSS.escape(metric)}"]`) as HTMLElement;
        const plotEl = figure.querySelector('.plot') as HTMLElement;
        try {
          const width = Math.max(200, plotEl.clientWidth);
          const [xs, ys] = await getSeries(id, metric, from, to + 1, width * POINTS_PER_PX);
          if (disposed || token !== loadToken) return;
          plotEl.replaceChildren();
          if (xs.length === 0) {
            plotEl.innerHTML = '<p class="muted">No values in this range.</p>';
            return;
          }
          const unit = unitOf(metric);
          const chart: SeriesChart = new SeriesChart(plotEl, {
            label: `${metricLabel(metric)}${unit ? ` (${unit})` : ''}`,
            height: CHART_HEIGHT,
            stroke: LINE,
            syncKey: sync.key,
            shaded: alertPeriods,
            onZoom: (min, max, reset) => void refine(metric, chart, min, max, reset),
          });
          chart.setData(xs, ys);
          charts.push({ metric, chart });
        } catch (error) {
          if (disposed || token !== loadToken) return;
          const message = error instanceof ApiError ? error.message : String(error);
          plotEl.innerHTML = `<p class="error-text" role="alert">Could not load ${escapeHtml(metric)}: ${escapeHtml(message)}</p>`;
        }
      }),
    ]);
    if (token === loadToken) {
      holder.removeAttribute('aria-busy');
      main.dataset.ready = 'true';
    }
  };

  const loadTrajectory = async (token: number, from: number, to: number) => {
    const plotEl = body.querySelector('#trajectory') as HTMLElement;
    try {
      const points = await getTrajectory(id, from, to, 240);
      if (disposed || token !== loadToken) return;
      const usable = points.filter((p) => p.rul !== null || p.failure_risk !== null);
      if (usable.length === 0) {
        plotEl.innerHTML =
          '<p class="muted">No remaining-life or failure-risk model scores this asset yet. Train one on the Models page.</p>';
        return;
      }
      plotEl.replaceChildren();
      const xs = usable.map((p) => Date.parse(p.ts) / 1000);
      const rul = usable.map((p) => p.rul?.hours ?? null);
      const lower = usable.map((p) => p.rul?.lower ?? null);
      const upper = usable.map((p) => p.rul?.upper ?? null);
      const risk = usable.map((p) => (p.failure_risk === null ? null : p.failure_risk * 100));
      trajectory = new uPlot(
        {
          width: Math.max(200, plotEl.clientWidth),
          height: CHART_HEIGHT,
          legend: { show: true, live: true },
          cursor: { drag: { x: true, y: false } },
          scales: {
            x: { time: true },
            h: { range: (_u, _min, max) => [0, Math.max(0.5, max)] },
            p: { range: [0, 100] },
          },
          bands: [{ series: [3, 2], fill: 'rgba(47, 111, 149, 0.18)' }],
          axes: [
            { stroke: '#52606d', grid: { stroke: '#e4e7eb', width: 1 }, ticks: { stroke: '#cbd2d9' } },
            {
              scale: 'h',
              label: 'Hours left',
              stroke: '#52606d',
              size: 60,
              grid: { stroke: '#e4e7eb', width: 1 },
              values: (_u, splits) => splits.map((v) => v.toFixed(1)),
            },
            { scale: 'p', side: 1, label: 'Risk %', stroke: '#8a1c1c', size: 50, grid: { show: false } },
          ],
          series: [
            { value: (_u, v) => (v == null ? '—' : formatTime(v * 1000)) },
            {
              label: 'Remaining life (h)',
              scale: 'h',
              stroke: LINE,
              width: 2,
              value: (_u, v) => (v == null ? '—' : formatHours(v)),
            },
            {
              label: '90 % low',
              scale: 'h',
              stroke: 'rgba(47,111,149,0.5)',
              width: 1,
              dash: [4, 4],
              value: (_u, v) => (v == null ? '—' : formatHours(v)),
            },
            {
              label: '90 % high',
              scale: 'h',
              stroke: 'rgba(47,111,149,0.5)',
              width: 1,
              dash: [4, 4],
              value: (_u, v) => (v == null ? '—' : formatHours(v)),
            },
            {
              label: 'Failure risk',
              scale: 'p',
              stroke: '#b42318',
              width: 1.5,
              value: (_u, v) => (v == null ? '—' : `${Math.round(v)} %`),
            },
          ],
        },
        [xs, rul, lower, upper, risk],
        plotEl,
      );
    } catch (error) {
      if (disposed || token !== loadToken) return;
      const message = error instanceof ApiError ? error.message : String(error);
      plotEl.innerHTML = `<p class="error-text" role="alert">Could not load the remaining-life trajectory: ${escapeHtml(message)}</p>`;
    }
  };

  const renderShell = () => {
    if (!asset) return;
    const attributes = Object.entries(asset.attributes);
    body.innerHTML = `
      <section class="card" aria-labelledby="health-h"><h2 id="health-h">Health</h2><dl class="stats" id="health"></dl></section>
      <div class="grid-2">
        <section class="card" aria-labelledby="why-h"><h2 id="why-h">Why this risk</h2><div id="why"><p class="muted">Loading…</p></div></section>
        <section class="card" aria-labelledby="alerts-h"><h2 id="alerts-h">Alerts</h2><div id="asset-alerts"><p class="muted">Loading…</p></div></section>
      </div>
      <section aria-labelledby="charts-h">
        <div class="section-head"><h2 id="charts-h">Readings</h2>
          <div class="segmented" role="group" aria-label="Time range">
            ${RANGES.map((r) => `<button type="button" data-range="${r.key}" aria-pressed="${r.key === range}">${r.label}</button>`).join('')}
          </div></div>
        <p class="muted hint">Drag across a chart to zoom in, double-click to zoom out; with the keyboard, focus a chart and use ← → + − 0. <span class="legend-mark anomaly"></span> anomaly (modified z-score above 3.5 in this range) · <span class="legend-mark alert"></span> alert active</p>
        <figure class="chart card"><figcaption>Remaining useful life <small>with its 90 % interval, and failure risk</small></figcaption>
          <div class="plot" id="trajectory" role="img" aria-label="Remaining useful life and failure risk over the selected range"><p class="muted">Loading…</p></div></figure>
        <div id="charts" class="charts"></div>
      </section>
      <div class="grid-2">
        <section class="card" aria-labelledby="latest-h"><h2 id="latest-h">Latest values</h2><dl class="stats" id="latest"></dl></section>
        <section class="card" aria-labelledby="attr-h"><h2 id="attr-h">Attributes</h2>
          <dl class="attrs">${attributes.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}
            <div><dt>first value</dt><dd>${asset.first_ts ? formatTime(Date.parse(asset.first_ts)) : '—'}</dd></div>
            <div><dt>values stored</dt><dd>${asset.reading_count.toLocaleString()}</dd></div></dl>
        </section>
      </div>`;
    for (const button of body.querySelectorAll<HTMLButtonElement>('[data-range]')) {
      button.addEventListener('click', () => {
        range = button.dataset.range as RangeKey;
        sessionStorage.setItem('upkeep.range', range);
        for (const other of body.querySelectorAll('[data-range]')) {
          other.setAttribute('aria-pressed', String(other === button));
        }
        void loadCharts();
      });
    }
    renderHealth();
    resize.observe(body.querySelector('#charts') as HTMLElement);
    void loadCharts();
  };

  const loadDetails = async () => {
    const [fleet, health, alertList] = await Promise.allSettled([
      getFleetAsset(id),
      getHealth(id),
      listAlerts({ asset: id }),
    ]);
    if (disposed) return;
    if (fleet.status === 'fulfilled') row = fleet.value.asset;
    if (health.status === 'fulfilled') healthRul = readHealthRul(health.value.rul);
    if (alertList.status === 'fulfilled') alerts = alertList.value;
    const why = body.querySelector('#why') as HTMLElement | null;
    if (why) {
      why.innerHTML =
        fleet.status === 'fulfilled'
          ? whyHtml(fleet.value.why, row)
          : `<p class="error-text" role="alert">Could not load the explanation: ${escapeHtml(String(fleet.reason instanceof Error ? fleet.reason.message : fleet.reason))}</p>`;
    }
    const alertsEl = body.querySelector('#asset-alerts') as HTMLElement | null;
    if (alertsEl && alertList.status === 'rejected') {
      alertsEl.innerHTML =
        alertList.reason instanceof ApiError && alertList.reason.status === 404
          ? '<p class="muted">This server keeps no alerts.</p>'
          : '<p class="error-text" role="alert">Could not load the alerts.</p>';
    } else renderAlerts();
    renderHealth();
    for (const entry of charts) entry.chart.plot.redraw(false);
  };

  const load = async () => {
    try {
      asset = await getAsset(id);
      if (disposed) return;
      asset.metrics = orderMetrics(asset.metrics);
      renderShell();
      await loadDetails();
    } catch (error) {
      if (disposed) return;
      const notFound = error instanceof ApiError && error.status === 404;
      const message = error instanceof ApiError ? error.message : String(error);
      body.innerHTML = notFound
        ? `<section class="state card"><h2>No such asset</h2><p>No asset is called “${escapeHtml(id)}”.</p><p><a href="/">Back to the fleet</a></p></section>`
        : `<section class="state card error" role="alert"><h2>Could not load this asset</h2><p>${escapeHtml(message)}</p><button type="button" class="button">Try again</button></section>`;
      body.querySelector('button')?.addEventListener('click', () => void load());
    }
  };

  // The charts of this page, for the dashboard benchmark (bench/dashboard.mjs drives their pan and zoom).
  (window as unknown as { upkeepCharts?: () => SeriesChart[] }).upkeepCharts = () => charts.map((entry) => entry.chart);

  const unsubscribe = live.subscribe((event) => {
    if (!asset) return;
    const update = event.assets.find((a) => a.id === id);
    if (!update) return;
    row = update;
    asset.last_ts = update.last_ts;
    const [from] = windowOf();
    for (const [metric, value] of Object.entries(update.latest)) {
      asset.latest[metric] = value;
      const entry = charts.find((c) => c.metric === metric);
      if (!entry) continue;
      entry.chart.append(Date.parse(value.ts) / 1000, value.value);
      entry.chart.trimBefore(from / 1000);
    }
    renderHealth();
  });
  // Alerts and the explanation change slowly: read again every 15 s.
  const timer = setInterval(() => {
    if (asset) void loadDetails();
  }, 15_000);
  void load();

  return () => {
    disposed = true;
    unsubscribe();
    clearInterval(timer);
    resize.disconnect();
    destroyCharts();
  };
};
