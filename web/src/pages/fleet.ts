import { ApiError, type AssetSummary, listAllAssets } from '../api';
import { escapeHtml, formatAgo, formatTime, formatValue, metricLabel, orderMetrics, unitOf } from '../format';
import { live } from '../live';
import { navigate, type Page } from '../router';

/** Height of one table row (px); rows are drawn only where the table is scrolled to. */
const ROW_HEIGHT = 40;
/** Rows drawn above and below the visible ones. */
const OVERSCAN = 10;
/** An asset with no value for this long is shown as silent (ms). */
const SILENT_AFTER_MS = 5 * 60_000;
/** Attributes with at most this many distinct values get a filter menu. */
const MAX_FILTER_VALUES = 30;

interface Row {
  id: string;
  attributes: Record<string, string>;
  lastTs: number | null;
  latest: Record<string, number>;
  /** Lower-cased id and attribute values, for search. */
  haystack: string;
}

type SortKey = 'id' | 'kind' | 'last' | `metric:${string}`;

function toRow(asset: AssetSummary): Row {
  return {
    id: asset.id,
    attributes: asset.attributes,
    lastTs: asset.last_ts === null ? null : Date.parse(asset.last_ts),
    latest: {},
    haystack: [asset.id, ...Object.values(asset.attributes)].join(' ').toLowerCase(),
  };
}

function describeAttributes(attributes: Record<string, string>): string {
  const { kind, site } = attributes;
  const parts = [kind, site].filter((part): part is string => Boolean(part));
  if (parts.length > 0) return parts.join(' · ');
  return Object.entries(attributes)
    .slice(0, 2)
    .map(([key, value]) => `${key}: ${value}`)
    .join(' · ');
}

/** Fleet: every asset with its latest values, sortable, searchable, drawn a screenful at a time. */
export const fleetPage: Page = (main) => {
  document.title = 'Fleet · Upkeep';
  main.innerHTML = `
    <div class="page-head">
      <h1>Fleet</h1>
      <p class="summary" id="fleet-summary" aria-live="polite"></p>
    </div>
    <form class="toolbar" role="search" aria-label="Filter assets">
      <label class="field grow"><span>Search</span>
        <input type="search" id="fleet-search" placeholder="Asset id, kind or site" autocomplete="off" />
      </label>
      <span id="fleet-filters" class="filters"></span>
    </form>
    <div id="fleet-body"><section class="state card" role="status"><p>Loading assets…</p></section></div>`;
  const summary = main.querySelector('#fleet-summary') as HTMLElement;
  const body = main.querySelector('#fleet-body') as HTMLElement;
  const search = main.querySelector('#fleet-search') as HTMLInputElement;
  const filtersEl = main.querySelector('#fleet-filters') as HTMLElement;
  main.querySelector('form')?.addEventListener('submit', (event) => event.preventDefault());

  const rows = new Map<string, Row>();
  let metrics: string[] = [];
  let visible: Row[] = [];
  let sortKey: SortKey = 'id';
  let sortDir: 1 | -1 = 1;
  const filters = new Map<string, string>();
  let scroller: HTMLElement | undefined;
  let tbody: HTMLTableSectionElement | undefined;
  let frame = 0;
  let disposed = false;

  const applyLive = () => {
    for (const update of live.latest.values()) {
      const row = rows.get(update.id);
      if (!row) continue;
      row.lastTs = update.last_ts === null ? null : Date.parse(update.last_ts);
      for (const [metric, value] of Object.entries(update.latest)) row.latest[metric] = value.value;
    }
  };

  const compare = (a: Row, b: Row): number => {
    let result: number;
    if (sortKey === 'id') result = a.id.localeCompare(b.id, 'en', { numeric: true });
    else if (sortKey === 'kind')
      result = describeAttributes(a.attributes).localeCompare(describeAttributes(b.attributes));
    else if (sortKey === 'last') result = (a.lastTs ?? -Infinity) - (b.lastTs ?? -Infinity);
    else {
      const metric = sortKey.slice('metric:'.length);
      const va = a.latest[metric];
      const vb = b.latest[metric];
      // Assets without the metric go last whichever the direction.
      if (va === undefined || vb === undefined) return va === undefined ? (vb === undefined ? 0 : 1) : -1;
      result = va - vb;
    }
    return result === 0 ? a.id.localeCompare(b.id, 'en', { numeric: true }) : result * sortDir;
  };

  const refilter = () => {
    const needle = search.value.trim().toLowerCase();
    visible = [...rows.values()].filter((row) => {
      if (needle && !row.haystack.includes(needle)) return false;
      for (const [key, value] of filters) if (value && row.attributes[key] !== value) return false;
      return true;
    });
    visible.sort(compare);
    updateSummary();
    if (scroller) {
      const empty = body.querySelector('.no-match') as HTMLElement;
      empty.hidden = visible.length > 0;
    }
    schedule();
  };

  const updateSummary = () => {
    const now = Date.now();
    let silent = 0;
    for (const row of rows.values()) if (row.lastTs === null || now - row.lastTs > SILENT_AFTER_MS) silent++;
    const shown =
      visible.length === rows.size
        ? `${rows.size.toLocaleString()} assets`
        : `Showing ${visible.length.toLocaleString()} of ${rows.size.toLocaleString()} assets`;
    summary.textContent = `${shown} · ${(rows.size - silent).toLocaleString()} reporting · ${silent.toLocaleString()} silent`;
  };

  const schedule = () => {
    if (!frame && !disposed) frame = requestAnimationFrame(draw);
  };

  const cell = (row: Row, now: number): string => {
    const silent = row.lastTs === null || now - row.lastTs > SILENT_AFTER_MS;
    const href = `/asset/${encodeURIComponent(row.id)}`;
    const metricCells = metrics.map((metric) => `<td class="num">${formatValue(row.latest[metric])}</td>`).join('');
    const last = row.lastTs === null ? 'never' : formatAgo(row.lastTs, now);
    const lastTitle = row.lastTs === null ? '' : ` title="${formatTime(row.lastTs)}"`;
    return `<tr data-id="${escapeHtml(row.id)}">
      <td><span class="badge neutral" title="Health scores appear once anomaly and failure-risk models run">Not scored</span></td>
      <th scope="row"><a href="${href}">${escapeHtml(row.id)}</a></th>
      <td class="muted col-type">${escapeHtml(describeAttributes(row.attributes))}</td>
      <td${lastTitle}>${silent ? `<span class="badge warn">Silent</span> ${last}` : last}</td>
      ${metricCells}</tr>`;
  };

  function draw() {
    frame = 0;
    if (!scroller || !tbody) return;
    const now = Date.now();
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const count = Math.ceil(scroller.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN;
    const last = Math.min(visible.length, first + count);
    const columns = 4 + metrics.length;
    let html = `<tr class="spacer" aria-hidden="true"><td colspan="${columns}" style="height:${first * ROW_HEIGHT}px"></td></tr>`;
    for (let i = first; i < last; i++) html += cell(visible[i], now);
    html += `<tr class="spacer" aria-hidden="true"><td colspan="${columns}" style="height:${(visible.length - last) * ROW_HEIGHT}px"></td></tr>`;
    tbody.innerHTML = html;
  }

  const headerButton = (key: SortKey, label: string, className = '') =>
    `<th scope="col" data-sort="${escapeHtml(key)}"${className ? ` class="${className}"` : ''}><button type="button">${label}<span class="arrow" aria-hidden="true"></span></button></th>`;

  const buildTable = () => {
    body.innerHTML = `
      <div class="table-scroll card" tabindex="0" aria-label="Assets table, scrollable">
        <table class="fleet">
          <caption class="sr-only">Assets with their latest values; column headers sort the table</caption>
          <thead><tr>
            <th scope="col">Status</th>
            ${headerButton('id', 'Asset')}
            ${headerButton('kind', 'Type', 'col-type')}
            ${headerButton('last', 'Last seen')}
            ${metrics
              .map((metric) => {
                const unit = unitOf(metric);
                return headerButton(
                  `metric:${metric}`,
                  `${escapeHtml(metricLabel(metric))}${unit ? ` <small>${escapeHtml(unit)}</small>` : ''}`,
                  'num',
                );
              })
              .join('')}
          </tr></thead>
          <tbody></tbody>
        </table>
        <p class="no-match state" hidden>No assets match the search and filters.</p>
      </div>`;
    scroller = body.querySelector('.table-scroll') as HTMLElement;
    tbody = body.querySelector('tbody') as HTMLTableSectionElement;
    scroller.addEventListener('scroll', schedule, { passive: true });
    body.querySelector('thead')?.addEventListener('click', (event) => {
      const th = (event.target as Element).closest('th[data-sort]') as HTMLElement | null;
      if (!th) return;
      const key = th.dataset.sort as SortKey;
      if (key === sortKey) sortDir = sortDir === 1 ? -1 : 1;
      else {
        sortKey = key;
        sortDir = key === 'last' ? -1 : 1;
      }
      markSort();
      refilter();
    });
    tbody.addEventListener('click', (event) => {
      const target = event.target as Element;
      if (target.closest('a')) return;
      const tr = target.closest('tr[data-id]') as HTMLElement | null;
      if (tr?.dataset.id) navigate(`/asset/${encodeURIComponent(tr.dataset.id)}`);
    });
    markSort();
  };

  const markSort = () => {
    for (const th of body.querySelectorAll<HTMLElement>('th[data-sort]')) {
      const active = th.dataset.sort === sortKey;
      th.setAttribute('aria-sort', active ? (sortDir === 1 ? 'ascending' : 'descending') : 'none');
      (th.querySelector('.arrow') as HTMLElement).textContent = active ? (sortDir === 1 ? '▲' : '▼') : '';
    }
  };

  const buildFilters = () => {
    const values = new Map<string, Set<string>>();
    for (const row of rows.values()) {
      for (const [key, value] of Object.entries(row.attributes)) {
        const set = values.get(key) ?? new Set<string>();
        set.add(value);
        values.set(key, set);
      }
    }
    const html: string[] = [];
    for (const [key, set] of [...values.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (set.size < 2 || set.size > MAX_FILTER_VALUES) continue;
      const options = [...set]
        .sort()
        .map((value) => `<option value="${escapeHtml(value)}">${escapeHtml(value)}</option>`)
        .join('');
      html.push(
        `<label class="field"><span>${escapeHtml(metricLabel(key))}</span><select data-key="${escapeHtml(key)}"><option value="">All</option>${options}</select></label>`,
      );
    }
    filtersEl.innerHTML = html.join('');
    for (const select of filtersEl.querySelectorAll('select')) {
      select.addEventListener('change', () => {
        filters.set(select.dataset.key as string, select.value);
        refilter();
      });
    }
  };

  const load = async () => {
    body.innerHTML = '<section class="state card" role="status"><p>Loading assets…</p></section>';
    try {
      const assets = await listAllAssets();
      if (disposed) return;
      rows.clear();
      const metricSet = new Set<string>();
      for (const asset of assets) {
        rows.set(asset.id, toRow(asset));
        for (const metric of asset.metrics) metricSet.add(metric);
      }
      metrics = orderMetrics([...metricSet]);
      if (assets.length === 0) {
        summary.textContent = '';
        body.innerHTML = `<section class="state card"><h2>No assets yet</h2>
          <p>Assets appear here as soon as they send readings: <code>POST /v1/readings</code>, MQTT or
          <code>upkeep import</code>. To try the dashboard with a simulated fleet run <code>npm start</code>.</p></section>`;
        return;
      }
      applyLive();
      buildFilters();
      buildTable();
      refilter();
    } catch (error) {
      if (disposed) return;
      const message = error instanceof ApiError ? error.message : String(error);
      body.innerHTML = `<section class="state card error" role="alert"><h2>Could not load the assets</h2>
        <p>${escapeHtml(message)}</p><button type="button" class="button">Try again</button></section>`;
      body.querySelector('button')?.addEventListener('click', () => void load());
    }
  };

  search.addEventListener('input', refilter);
  let unknownSeen = false;
  const unsubscribe = live.subscribe((event) => {
    let changed = false;
    for (const update of event.assets) {
      const row = rows.get(update.id);
      if (!row) {
        unknownSeen = true;
        continue;
      }
      row.lastTs = update.last_ts === null ? null : Date.parse(update.last_ts);
      for (const [metric, value] of Object.entries(update.latest)) row.latest[metric] = value.value;
      changed = true;
    }
    if (changed && scroller) {
      if (sortKey === 'id' || sortKey === 'kind') {
        updateSummary();
        schedule();
      } else refilter();
    }
  });
  // New assets seen on the stream join the table at most every 10 s.
  const rescan = setInterval(() => {
    if (unknownSeen) {
      unknownSeen = false;
      void listAllAssets().then((assets) => {
        if (disposed) return;
        for (const asset of assets) if (!rows.has(asset.id)) rows.set(asset.id, toRow(asset));
        applyLive();
        if (!scroller) void load();
        else refilter();
      });
    }
    // "Last seen" ages even without new data.
    schedule();
  }, 10_000);
  void load();

  return () => {
    disposed = true;
    unsubscribe();
    clearInterval(rescan);
    if (frame) cancelAnimationFrame(frame);
  };
};
