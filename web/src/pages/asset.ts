import uPlot from 'uplot';
import { ApiError, type AssetDetail, getAsset, getSeries } from '../api';
import { escapeHtml, formatAgo, formatTime, formatValue, metricLabel, orderMetrics, unitOf } from '../format';
import { live } from '../live';
import type { Page } from '../router';

const RANGES = [
  { key: '1h', label: 'Last hour', ms: 3_600_000 },
  { key: '6h', label: '6 hours', ms: 6 * 3_600_000 },
  { key: '24h', label: '24 hours', ms: 24 * 3_600_000 },
] as const;
type RangeKey = (typeof RANGES)[number]['key'];
const CHART_HEIGHT = 180;
const LINE = '#2f6f95';

interface Chart {
  metric: string;
  plot: uPlot;
  xs: number[];
  ys: number[];
}

/** Asset: attributes, latest values and a chart per metric over a chosen range, extended live. */
export const assetPage: Page = (main, params) => {
  const id = params.id;
  document.title = `${id} · Upkeep`;
  let range: RangeKey = (sessionStorage.getItem('upkeep.range') as RangeKey | null) ?? '1h';
  if (!RANGES.some((r) => r.key === range)) range = '1h';
  let asset: AssetDetail | undefined;
  let charts: Chart[] = [];
  let disposed = false;
  let loadToken = 0;

  main.innerHTML = `
    <nav class="crumbs" aria-label="Breadcrumb"><a href="/">Fleet</a> <span aria-hidden="true">/</span> <span aria-current="page">${escapeHtml(id)}</span></nav>
    <div class="page-head"><h1>${escapeHtml(id)}</h1><p class="summary" id="asset-summary"></p></div>
    <div id="asset-body"><section class="state card" role="status"><p>Loading asset…</p></section></div>`;
  const body = main.querySelector('#asset-body') as HTMLElement;
  const summary = main.querySelector('#asset-summary') as HTMLElement;

  const resize = new ResizeObserver(() => {
    for (const chart of charts) {
      const width = (chart.plot.root.parentElement as HTMLElement).clientWidth;
      if (width > 0 && Math.abs(width - chart.plot.width) > 1) chart.plot.setSize({ width, height: CHART_HEIGHT });
    }
  });

  const renderLatest = () => {
    if (!asset) return;
    const now = Date.now();
    const holder = body.querySelector('#latest') as HTMLElement | null;
    if (!holder) return;
    holder.innerHTML = asset.metrics
      .map((metric) => {
        const latest = asset?.latest[metric];
        const unit = unitOf(metric);
        return `<div class="stat"><dt>${escapeHtml(metricLabel(metric))}</dt>
          <dd><span class="value">${formatValue(latest?.value)}</span>${unit ? ` <span class="unit">${escapeHtml(unit)}</span>` : ''}
          <span class="when">${latest ? formatAgo(Date.parse(latest.ts), now) : 'no value'}</span></dd></div>`;
      })
      .join('');
    const lastTs = asset.last_ts ? Date.parse(asset.last_ts) : null;
    summary.textContent = `Last seen ${formatAgo(lastTs, now)}`;
  };

  const destroyCharts = () => {
    for (const chart of charts) chart.plot.destroy();
    charts = [];
  };

  const windowOf = (): [number, number] => {
    const span = RANGES.find((r) => r.key === range)?.ms ?? RANGES[0].ms;
    const lastTs = asset?.last_ts ? Date.parse(asset.last_ts) : Date.now();
    // An asset that stopped reporting is shown up to its last value rather than as an empty chart.
    const end = lastTs < Date.now() - span ? lastTs : Date.now();
    return [end - span, end];
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
          <div class="plot" role="img" aria-label="${escapeHtml(metricLabel(metric))} over the selected range"><p class="muted">Loading…</p></div></figure>`,
      )
      .join('');
    if (asset.metrics.length === 0) holder.innerHTML = '<p class="state card">This asset has no metrics yet.</p>';
    const [from] = windowOf();
    const sync = uPlot.sync(`asset-${id}`);
    await Promise.all(
      asset.metrics.map(async (metric) => {
        const figure = holder.querySelector(`figure[data-metric="${CSS.escape(metric)}"]`) as HTMLElement;
        const plotEl = figure.querySelector('.plot') as HTMLElement;
        try {
          const [xs, ys] = await getSeries(id, metric, from);
          if (disposed || token !== loadToken) return;
          plotEl.replaceChildren();
          if (xs.length === 0) {
            plotEl.innerHTML = '<p class="muted">No values in this range.</p>';
            return;
          }
          const unit = unitOf(metric);
          const plot = new uPlot(
            {
              width: Math.max(200, plotEl.clientWidth),
              height: CHART_HEIGHT,
              legend: { show: true, live: true },
              cursor: { sync: { key: sync.key }, drag: { x: true, y: false } },
              scales: { x: { time: true } },
              axes: [
                { stroke: '#52606d', grid: { stroke: '#e4e7eb', width: 1 }, ticks: { stroke: '#cbd2d9' } },
                {
                  stroke: '#52606d',
                  grid: { stroke: '#e4e7eb', width: 1 },
                  ticks: { stroke: '#cbd2d9' },
                  size: 60,
                  values: (_u, splits) => splits.map((v) => formatValue(v)),
                },
              ],
              series: [
                { value: (_u, v) => (v == null ? '—' : formatTime(v * 1000)) },
                {
                  label: `${metricLabel(metric)}${unit ? ` (${unit})` : ''}`,
                  stroke: LINE,
                  width: 1.25,
                  points: { show: false },
                  value: (_u, v) => formatValue(v ?? undefined),
                },
              ],
            },
            [xs, ys],
            plotEl,
          );
          charts.push({ metric, plot, xs, ys });
        } catch (error) {
          if (disposed || token !== loadToken) return;
          const message = error instanceof ApiError ? error.message : String(error);
          plotEl.innerHTML = `<p class="error-text" role="alert">Could not load ${escapeHtml(metric)}: ${escapeHtml(message)}</p>`;
        }
      }),
    );
    if (token === loadToken) holder.removeAttribute('aria-busy');
  };

  const renderShell = () => {
    if (!asset) return;
    const attributes = Object.entries(asset.attributes);
    body.innerHTML = `
      <div class="grid-2">
        <section class="card" aria-labelledby="latest-h"><h2 id="latest-h">Latest values</h2><dl class="stats" id="latest"></dl></section>
        <section class="card" aria-labelledby="health-h"><h2 id="health-h">Health</h2>
          <p><span class="badge neutral">Not scored</span></p>
          <p class="muted">Anomaly likelihood, failure risk and remaining useful life with its interval appear here once
          models score this asset. Its alerts will be listed here too.</p></section>
      </div>
      <section class="card" aria-labelledby="attr-h"><h2 id="attr-h">Attributes</h2>
        ${
          attributes.length === 0
            ? '<p class="muted">No attributes recorded.</p>'
            : `<dl class="attrs">${attributes.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}
               <div><dt>first value</dt><dd>${asset.first_ts ? formatTime(Date.parse(asset.first_ts)) : '—'}</dd></div></dl>`
        }
      </section>
      <section aria-labelledby="charts-h">
        <div class="section-head"><h2 id="charts-h">Readings</h2>
          <div class="segmented" role="group" aria-label="Time range">
            ${RANGES.map((r) => `<button type="button" data-range="${r.key}" aria-pressed="${r.key === range}">${r.label}</button>`).join('')}
          </div></div>
        <p class="muted hint">Drag across a chart to zoom in; double-click to zoom out.</p>
        <div id="charts" class="charts"></div>
      </section>`;
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
    renderLatest();
    resize.observe(body.querySelector('#charts') as HTMLElement);
    void loadCharts();
  };

  const load = async () => {
    try {
      asset = await getAsset(id);
      if (disposed) return;
      asset.metrics = orderMetrics(asset.metrics);
      renderShell();
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

  const unsubscribe = live.subscribe((event) => {
    if (!asset) return;
    const update = event.assets.find((a) => a.id === id);
    if (!update) return;
    asset.last_ts = update.last_ts;
    for (const [metric, value] of Object.entries(update.latest)) {
      asset.latest[metric] = value;
      const chart = charts.find((c) => c.metric === metric);
      if (!chart) continue;
      const x = Date.parse(value.ts) / 1000;
      if (chart.xs.length > 0 && x <= chart.xs[chart.xs.length - 1]) continue;
      chart.xs.push(x);
      chart.ys.push(value.value);
      const [from] = windowOf();
      let drop = 0;
      while (drop < chart.xs.length - 1 && chart.xs[drop] < from / 1000) drop++;
      if (drop > 0) {
        chart.xs.splice(0, drop);
        chart.ys.splice(0, drop);
      }
      // Keep a zoomed-in view where the user put it; otherwise follow the newest value.
      const scale = chart.plot.scales.x;
      const following = scale.max == null || scale.max >= chart.xs[chart.xs.length - 2] - 1;
      chart.plot.setData([chart.xs, chart.ys], following);
    }
    renderLatest();
  });
  void load();

  return () => {
    disposed = true;
    unsubscribe();
    resize.disconnect();
    destroyCharts();
  };
};
