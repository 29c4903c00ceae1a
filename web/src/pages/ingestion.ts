import uPlot from 'uplot';
import { ApiError, getIngestion, type Ingestion } from '../api';
import { escapeHtml, formatTime } from '../format';
import type { Page } from '../router';

const POLL_MS = 2000;
/** Rate samples kept for the chart (2 s apart: 10 minutes). */
const KEEP = 300;

const REASONS: Record<string, string> = {
  invalid: 'Invalid readings',
  too_large: 'Too large',
  unprocessable: 'Unprocessable',
  overloaded: 'Overloaded (queue full)',
  store_error: 'Store error',
};

function table(caption: string, entries: [string, number][], empty: string): string {
  const rows = entries.filter(([, value]) => value > 0);
  if (rows.length === 0) return `<p class="muted">${escapeHtml(empty)}</p>`;
  return `<table class="compact"><caption class="sr-only">${escapeHtml(caption)}</caption>
    <tbody>${rows.map(([key, value]) => `<tr><th scope="row">${escapeHtml(key)}</th><td class="num">${value.toLocaleString()}</td></tr>`).join('')}</tbody></table>`;
}

/** Ingestion: readings per second over the last minutes, refusals by reason, the scoring queue, dead letters. */
export const ingestionPage: Page = (main) => {
  document.title = 'Ingestion · Upkeep';
  main.innerHTML = `
    <div class="page-head"><h1>Ingestion</h1><p class="summary" id="ingest-summary" aria-live="polite"></p></div>
    <div id="ingest-body"><section class="state card" role="status"><p>Loading ingestion statistics…</p></section></div>`;
  const body = main.querySelector('#ingest-body') as HTMLElement;
  const summary = main.querySelector('#ingest-summary') as HTMLElement;
  const xs: number[] = [];
  const ys: number[] = [];
  let plot: uPlot | undefined;
  let disposed = false;
  let built = false;

  const build = () => {
    body.innerHTML = `
      <section class="card" aria-labelledby="rate-h"><h2 id="rate-h">Readings per second <small class="muted">since this page opened</small></h2>
        <dl class="stats" id="ingest-stats"></dl>
        <div class="plot" id="rate-plot" role="img" aria-label="Readings per second over the last minutes"></div></section>
      <div class="grid-2">
        <section class="card" aria-labelledby="rejects-h"><h2 id="rejects-h">Refused</h2><div id="rejects"></div></section>
        <section class="card" aria-labelledby="sources-h"><h2 id="sources-h">Stored by source</h2><div id="sources"></div></section>
      </div>
      <section class="card" aria-labelledby="dead-h"><h2 id="dead-h">Dead letters</h2><div id="dead"></div></section>`;
    const holder = body.querySelector('#rate-plot') as HTMLElement;
    plot = new uPlot(
      {
        width: Math.max(200, holder.clientWidth),
        height: 160,
        legend: { show: false },
        scales: {
          // The last ten minutes, however few samples there are yet.
          x: { time: true, range: (_u, _min, max) => [max - 600, max] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.2)] },
        },
        axes: [
          { stroke: '#52606d', grid: { stroke: '#e4e7eb', width: 1 }, space: 90 },
          { stroke: '#52606d', grid: { stroke: '#e4e7eb', width: 1 }, size: 50 },
        ],
        series: [
          {},
          {
            label: 'readings/s',
            stroke: '#2f6f95',
            width: 2,
            fill: 'rgba(47,111,149,0.12)',
            // Each sample marked, so that the first ones show before there is a line.
            points: { show: true, size: 5 },
          },
        ],
      },
      [xs, ys],
      holder,
    );
    built = true;
  };

  const render = (stats: Ingestion) => {
    if (!built) build();
    const rate = stats.readings_per_second;
    if (rate !== null) {
      xs.push(Date.parse(stats.ts) / 1000);
      ys.push(rate);
      if (xs.length > KEEP) {
        xs.shift();
        ys.shift();
      }
      plot?.setData([xs, ys]);
    }
    const rejectedReadings = Object.values(stats.rejected_readings_by_source).reduce((a, b) => a + b, 0);
    const rejectedBatches = Object.values(stats.rejected_batches_by_reason).reduce((a, b) => a + b, 0);
    summary.textContent = `${rate === null ? 'Measuring…' : `${rate.toLocaleString()} readings/s`} · ${stats.readings_total.toLocaleString()} readings since start`;
    (body.querySelector('#ingest-stats') as HTMLElement).innerHTML = `
      <div class="stat"><dt>Now</dt><dd><span class="value">${rate === null ? '—' : rate.toLocaleString()}</span> <span class="unit">readings/s</span></dd></div>
      <div class="stat"><dt>Since start</dt><dd><span class="value">${stats.readings_total.toLocaleString()}</span> <span class="unit">readings</span></dd></div>
      <div class="stat"><dt>Waiting to be scored</dt><dd><span class="value">${stats.queued === null ? '—' : stats.queued.toLocaleString()}</span></dd></div>
      <div class="stat"><dt>Not scored (errors)</dt><dd><span class="value">${stats.failed_readings.toLocaleString()}</span></dd></div>`;
    (body.querySelector('#rejects') as HTMLElement).innerHTML = `
      <h3 class="small-h">Batches by reason</h3>
      ${table(
        'Refused batches by reason',
        Object.entries(stats.rejected_batches_by_reason).map(([k, v]) => [REASONS[k] ?? k, v]),
        'No batch refused.',
      )}
      <h3 class="small-h">Readings refused while the queue was full</h3>
      ${table('Refused readings by source', Object.entries(stats.rejected_readings_by_source), 'None.')}
      <p class="muted">${rejectedBatches + rejectedReadings === 0 ? 'Everything sent was accepted.' : 'Refused batches were not stored; senders retry them.'}</p>`;
    (body.querySelector('#sources') as HTMLElement).innerHTML = table(
      'Readings stored by source',
      Object.entries(stats.processed_by_source),
      'Nothing stored yet.',
    );
    const dead = body.querySelector('#dead') as HTMLElement;
    if (stats.dead_letters === null) {
      dead.innerHTML =
        '<p class="muted">This server keeps no dead letters: it has no stream consumer (start it with <code>--mqtt URL</code>). HTTP batches are refused whole with the reason instead.</p>';
    } else if (stats.dead_letters.total === 0) {
      dead.innerHTML = '<p class="muted">No dead letters: every message from the stream sources was readable.</p>';
    } else {
      dead.innerHTML = `<p>${stats.dead_letters.total.toLocaleString()} messages could not be ingested; the newest:</p>
        <div class="table-scroll"><table class="compact"><caption class="sr-only">Newest dead letters</caption>
        <thead><tr><th scope="col">Received</th><th scope="col">Source</th><th scope="col">Topic</th><th scope="col">Reason</th></tr></thead>
        <tbody>${stats.dead_letters.latest
          .map(
            (letter) => `<tr><td>${formatTime(Date.parse(letter.received_at))}</td><td>${escapeHtml(letter.source)}</td>
            <td>${escapeHtml(letter.topic)}</td><td class="wrap">${escapeHtml(letter.reason)}</td></tr>`,
          )
          .join('')}</tbody></table></div>`;
    }
    main.dataset.ready = 'true';
  };

  const load = async () => {
    try {
      const stats = await getIngestion();
      if (!disposed) render(stats);
    } catch (error) {
      if (disposed || built) return;
      const message = error instanceof ApiError ? error.message : String(error);
      body.innerHTML = `<section class="state card error" role="alert"><h2>Could not load the ingestion statistics</h2><p>${escapeHtml(message)}</p></section>`;
    }
  };
  const resize = new ResizeObserver(() => {
    const holder = body.querySelector('#rate-plot') as HTMLElement | null;
    if (plot && holder && Math.abs(holder.clientWidth - plot.width) > 1)
      plot.setSize({ width: holder.clientWidth, height: 160 });
  });
  resize.observe(body);
  const timer = setInterval(() => void load(), POLL_MS);
  void load();
  return () => {
    disposed = true;
    clearInterval(timer);
    resize.disconnect();
    plot?.destroy();
  };
};
