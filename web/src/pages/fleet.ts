import { ApiError, type FleetRow, getFleet, type HealthStatus } from '../api';
import { escapeHtml, formatAgo, formatPercent, formatRul, formatTime, metricLabel } from '../format';
import { live } from '../live';
import { navigate, type Page } from '../router';

/** Height of one table row (px); rows are drawn only where the table is scrolled to. */
const ROW_HEIGHT = 44;
/** Rows drawn above and below the visible ones. */
const OVERSCAN = 8;
/** An asset with no value for this long is shown as silent (ms). */
const SILENT_AFTER_MS = 5 * 60_000;
/** Attributes with at most this many distinct values get a filter menu. */
const MAX_FILTER_VALUES = 30;
/** Attributes not worth a filter menu. */
const HIDDEN_ATTRIBUTES = new Set(['source']);

const STATUS_LABEL: Record<HealthStatus, string> = { ok: 'OK', watch: 'Watch', alarm: 'Alarm' };
const STATUS_RANK: Record<string, number> = { alarm: 3, watch: 2, ok: 1, none: 0 };

interface Row {
  data: FleetRow;
  lastTs: number | null;
  /** Lower-cased id and attribute values, for search. */
  haystack: string;
}

type SortKey = 'status' | 'id' | 'kind' | 'anomaly' | 'risk' | 'rul' | 'alerts' | 'last';

const COLUMNS: { key: SortKey; label: string; className?: string; title?: string }[] = [
  { key: 'status', label: 'Status' },
  { key: 'id', label: 'Asset' },
  { key: 'kind', label: 'Type', className: 'col-type' },
  { key: 'anomaly', label: 'Anomaly', className: 'num col-anomaly', title: 'Anomaly likelihood of the latest values' },
  { key: 'risk', label: 'Failure risk', className: 'num', title: 'Probability of failure within 30 minutes' },
  { key: 'rul', label: 'Remaining life', className: 'num col-rul', title: 'Estimate with its 90 % interval' },
  { key: 'alerts', label: 'Alerts', className: 'num' },
  { key: 'last', label: 'Last seen', className: 'col-last' },
];

function toRow(data: FleetRow): Row {
  return {
    data,
    lastTs: data.last_ts === null ? null : Date.parse(data.last_ts),
    haystack: [data.id, ...Object.values(data.attributes)].join(' ').toLowerCase(),
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

function statusBadge(status: HealthStatus | null): string {
  if (status === null) return '<span class="badge neutral" title="Not scored yet">Scoring…</span>';
  const tone = status === 'ok' ? 'ok' : status === 'watch' ? 'warn' : 'alarm';
  return `<span class="badge status ${tone}" title="${STATUS_LABEL[status]}">${STATUS_LABEL[status]}</span>`;
}

/** "44 min (30–58)": the interval in a span that narrow screens leave out. */
function rulCell(rul: FleetRow['rul']): string {
  const text = formatRul(rul);
  const open = text.indexOf(' (');
  if (open < 0) return text;
  return `${text.slice(0, open)}<span class="rul-interval">${text.slice(open)}</span>`;
}

function riskCell(risk: number | null): string {
  if (risk === null) return '<span class="muted">—</span>';
  const tone = risk >= 0.5 ? 'alarm' : risk >= 0.25 ? 'warn' : 'ok';
  return `<span class="meter ${tone}" aria-hidden="true"><span style="width:${Math.round(Math.min(1, risk) * 100)}%"></span></span>${formatPercent(risk)}`;
}

/** Fleet: every asset with its status, risk and remaining life; sortable, filterable, drawn a screenful at a time. */
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
      <label class="field"><span>Status</span>
        <select id="fleet-status">
          <option value="">All</option><option value="alarm">Alarm</option><option value="watch">Watch</option>
          <option value="ok">OK</option><option value="attention">Alarm or watch</option><option value="alerts">With open alerts</option>
        </select>
      </label>
      <span id="fleet-filters" class="filters"></span>
    </form>
    <div id="fleet-body"><section class="state card" role="status"><p>Loading assets…</p></section></div>`;
  const summary = main.querySelector('#fleet-summary') as HTMLElement;
  const body = main.querySelector('#fleet-body') as HTMLElement;
  const search = main.querySelector('#fleet-search') as HTMLInputElement;
  const statusSelect = main.querySelector('#fleet-status') as HTMLSelectElement;
  const filtersEl = main.querySelector('#fleet-filters') as HTMLElement;
  main.querySelector('form')?.addEventListener('submit', (event) => event.preventDefault());

  const rows = new Map<string, Row>();
  let visible: Row[] = [];
  let sortKey: SortKey = 'status';
  let sortDir: 1 | -1 = -1;
  const filters = new Map<string, string>();
  let scroller: HTMLElement | undefined;
  let tbody: HTMLTableSectionElement | undefined;
  let frame = 0;
  let disposed = false;

  const sortValue = (row: Row): number | string | null => {
    const d = row.data;
    switch (sortKey) {
      case 'status':
        return STATUS_RANK[d.status ?? 'none'] * 10 + (d.failure_risk ?? 0) + d.open_alerts * 0.001;
      case 'kind':
        return describeAttributes(d.attributes);
      case 'anomaly':
        return d.anomaly;
      case 'risk':
        return d.failure_risk;
      case 'rul':
        return d.rul ? d.rul.hours : null;
      case 'alerts':
        return d.open_alerts;
      case 'last':
        return row.lastTs;
      default:
        return d.id;
    }
  };

  const compare = (a: Row, b: Row): number => {
    const va = sortValue(a);
    const vb = sortValue(b);
    // Rows without a value go last whichever the direction.
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else {
      const result =
        typeof va === 'string' || typeof vb === 'string'
          ? String(va).localeCompare(String(vb), 'en', { numeric: true })
          : va - vb;
      if (result !== 0) return result * sortDir;
    }
    return a.data.id.localeCompare(b.data.id, 'en', { numeric: true });
  };

  const matchesStatus = (row: Row): boolean => {
    const wanted = statusSelect.value;
    if (!wanted) return true;
    if (wanted === 'attention') return row.data.status === 'alarm' || row.data.status === 'watch';
    if (wanted === 'alerts') return row.data.open_alerts > 0;
    return row.data.status === wanted;
  };

  const refilter = () => {
    const needle = search.value.trim().toLowerCase();
    visible = [...rows.values()].filter((row) => {
      if (needle && !row.haystack.includes(needle)) return false;
      if (!matchesStatus(row)) return false;
      for (const [key, value] of filters) if (value && row.data.attributes[key] !== value) return false;
      return true;
    });
    visible.sort(compare);
    updateSummary();
    if (scroller) (body.querySelector('.no-match') as HTMLElement).hidden = visible.length > 0;
    schedule();
  };

  const updateSummary = () => {
    const counts = { alarm: 0, watch: 0, ok: 0, none: 0 };
    let alerts = 0;
    for (const row of rows.values()) {
      counts[row.data.status ?? 'none']++;
      alerts += row.data.open_alerts;
    }
    const shown =
      visible.length === rows.size
        ? `${rows.size.toLocaleString()} assets`
        : `Showing ${visible.length.toLocaleString()} of ${rows.size.toLocaleString()} assets`;
    const parts = [
      shown,
      `${counts.alarm.toLocaleString()} alarm`,
      `${counts.watch.toLocaleString()} watch`,
      `${counts.ok.toLocaleString()} OK`,
    ];
    if (counts.none > 0) parts.push(`${counts.none.toLocaleString()} not scored yet`);
    parts.push(`${alerts.toLocaleString()} open alert${alerts === 1 ? '' : 's'}`);
    summary.textContent = parts.join(' · ');
  };

  const schedule = () => {
    if (!frame && !disposed) frame = requestAnimationFrame(draw);
  };

  const rowHtml = (row: Row, now: number): string => {
    const d = row.data;
    const silent = row.lastTs === null || now - row.lastTs > SILENT_AFTER_MS;
    const href = `/asset/${encodeURIComponent(d.id)}`;
    const last = row.lastTs === null ? 'never' : formatAgo(row.lastTs, now);
    const lastTitle = row.lastTs === null ? '' : ` title="${formatTime(row.lastTs)}"`;
    const alerts =
      d.open_alerts > 0
        ? `<a class="badge ${d.alert_severity === 'critical' || d.alert_severity === 'major' ? 'alarm' : 'warn'}" href="/alerts?asset=${encodeURIComponent(d.id)}" aria-label="${d.open_alerts} open alerts of ${escapeHtml(d.id)}">${d.open_alerts}</a>`
        : '<span class="muted">0</span>';
    return `<tr data-id="${escapeHtml(d.id)}" data-status="${d.status ?? 'none'}">
      <td>${statusBadge(d.status)}</td>
      <th scope="row"><a href="${href}">${escapeHtml(d.id)}</a></th>
      <td class="muted col-type">${escapeHtml(describeAttributes(d.attributes))}</td>
      <td class="num col-anomaly">${d.anomaly === null ? '<span class="muted" title="Not scored yet">…</span>' : formatPercent(d.anomaly)}</td>
      <td class="num risk">${riskCell(d.failure_risk)}</td>
      <td class="num col-rul">${rulCell(d.rul)}</td>
      <td class="num">${alerts}</td>
      <td class="col-last"${lastTitle}>${silent ? `<span class="badge warn">Silent</span> ${last}` : last}</td></tr>`;
  };

  function draw() {
    frame = 0;
    if (!scroller || !tbody) return;
    const now = Date.now();
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const count = Math.ceil(scroller.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN;
    const last = Math.min(visible.length, first + count);
    const columns = COLUMNS.length;
    let html = `<tr class="spacer" aria-hidden="true"><td colspan="${columns}" style="height:${first * ROW_HEIGHT}px"></td></tr>`;
    for (let i = first; i < last; i++) html += rowHtml(visible[i], now);
    html += `<tr class="spacer" aria-hidden="true"><td colspan="${columns}" style="height:${(visible.length - last) * ROW_HEIGHT}px"></td></tr>`;
    tbody.innerHTML = html;
  }

  const buildTable = () => {
    body.innerHTML = `
      <div class="table-scroll card fleet-scroll" tabindex="0" role="region" aria-label="Assets table, scrollable">
        <table class="fleet">
          <caption class="sr-only">Assets with status, anomaly likelihood, failure risk, remaining life and open alerts; column headers sort the table</caption>
          <thead><tr>${COLUMNS.map(
            (column) =>
              `<th scope="col" data-sort="${column.key}"${column.className ? ` class="${column.className}"` : ''}><button type="button"${column.title ? ` title="${column.title}"` : ''}>${column.label}<span class="arrow" aria-hidden="true"></span></button></th>`,
          ).join('')}</tr></thead>
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
        sortDir = key === 'id' || key === 'kind' || key === 'rul' ? 1 : -1;
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
      for (const [key, value] of Object.entries(row.data.attributes)) {
        if (HIDDEN_ATTRIBUTES.has(key)) continue;
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
      const current = filters.get(key) ?? '';
      html.push(
        `<label class="field"><span>${escapeHtml(metricLabel(key))}</span><select data-key="${escapeHtml(key)}"><option value="">All</option>${options}</select></label>`,
      );
      filters.set(key, current);
    }
    filtersEl.innerHTML = html.join('');
    for (const select of filtersEl.querySelectorAll('select')) {
      select.value = filters.get(select.dataset.key as string) ?? '';
      select.addEventListener('change', () => {
        filters.set(select.dataset.key as string, select.value);
        refilter();
      });
    }
  };

  const merge = (assets: FleetRow[]) => {
    for (const asset of assets) rows.set(asset.id, toRow(asset));
  };

  const load = async () => {
    try {
      const fleet = await getFleet();
      if (disposed) return;
      rows.clear();
      merge(fleet.assets);
      // Rows the stream delivered while the call ran are newer.
      for (const update of live.latest.values()) if (rows.has(update.id)) rows.set(update.id, toRow(update));
      if (fleet.assets.length === 0) {
        summary.textContent = '';
        body.innerHTML = `<section class="state card"><h2>No assets yet</h2>
          <p>Assets appear here as soon as they send readings: <code>POST /v1/readings</code>, MQTT or
          <code>upkeep import</code>. To try the dashboard with a simulated fleet run <code>npm start</code>.</p></section>`;
        return;
      }
      buildFilters();
      buildTable();
      refilter();
      main.dataset.ready = 'true';
    } catch (error) {
      if (disposed) return;
      const message = error instanceof ApiError ? error.message : String(error);
      body.innerHTML = `<section class="state card error" role="alert"><h2>Could not load the fleet</h2>
        <p>${escapeHtml(message)}</p><button type="button" class="button">Try again</button></section>`;
      body.querySelector('button')?.addEventListener('click', () => void load());
    }
  };

  search.addEventListener('input', refilter);
  statusSelect.addEventListener('change', refilter);
  let unknownSeen = false;
  const unsubscribe = live.subscribe((event) => {
    if (!scroller) return;
    let known = 0;
    for (const update of event.assets) {
      if (!rows.has(update.id)) unknownSeen = true;
      rows.set(update.id, toRow(update));
      known++;
    }
    if (known > 0) refilter();
  });
  // New assets join the filter menus at most every 10 s; "Last seen" ages even without new data.
  const timer = setInterval(() => {
    if (unknownSeen && scroller) {
      unknownSeen = false;
      buildFilters();
    }
    schedule();
  }, 10_000);
  void load();

  return () => {
    disposed = true;
    unsubscribe();
    clearInterval(timer);
    if (frame) cancelAnimationFrame(frame);
  };
};
