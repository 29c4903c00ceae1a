import { type Alert, ApiError, actOnAlert, listAlerts } from '../api';
import { escapeHtml, formatTime } from '../format';
import type { Page } from '../router';

const OPERATOR_STORAGE = 'upkeep.operator';
const SEVERITY_BADGE: Record<Alert['severity'], string> = {
  critical: 'alarm',
  major: 'alarm',
  minor: 'warn',
  warning: 'neutral',
};
const STATE_BADGE: Record<Alert['state'], string> = { open: 'alarm', acknowledged: 'warn', resolved: 'ok' };

function actionText(alert: Alert): string {
  const parts: string[] = [];
  const describe = (label: string, action: Alert['acknowledged']) => {
    if (!action) return;
    const comment = action.comment ? `: “${escapeHtml(action.comment)}”` : '';
    parts.push(`${label} by ${escapeHtml(action.by)}, ${formatTime(Date.parse(action.at))}${comment}`);
  };
  describe('Acknowledged', alert.acknowledged);
  describe(alert.resolution === 'auto' ? 'Resolved automatically' : 'Resolved', alert.resolved);
  return parts.length > 0 ? parts.join('<br>') : '<span class="muted">—</span>';
}

function actions(alert: Alert): string {
  if (alert.state === 'resolved') return '';
  const id = escapeHtml(alert.id);
  const ack =
    alert.state === 'open'
      ? `<button type="button" class="button small" data-act="ack" data-id="${id}" aria-label="Acknowledge alert ${id}">Acknowledge</button>`
      : '';
  return `${ack} <button type="button" class="button small" data-act="resolve" data-id="${id}" aria-label="Resolve alert ${id}">Resolve</button>`;
}

/** Alerts: filter by state, severity and asset; acknowledge and resolve with a comment. */
export const alertsPage: Page = (main) => {
  document.title = 'Alerts · Upkeep';
  main.innerHTML = `
    <div class="page-head"><h1>Alerts</h1><p class="summary" id="alerts-summary" aria-live="polite"></p></div>
    <form class="toolbar" aria-label="Filter alerts">
      <label class="field"><span>State</span><select id="alerts-state">
        <option value="">Open and acknowledged</option><option value="open">Open</option>
        <option value="acknowledged">Acknowledged</option><option value="resolved">Resolved</option><option value="all">All</option>
      </select></label>
      <label class="field"><span>Severity</span><select id="alerts-severity">
        <option value="">Any</option><option value="critical">Critical</option><option value="major">Major</option>
        <option value="minor">Minor</option><option value="warning">Warning</option>
      </select></label>
      <label class="field"><span>Asset</span><input type="search" id="alerts-asset" placeholder="Asset id" autocomplete="off" /></label>
      <label class="field"><span>Your name</span><input type="search" id="alerts-operator" placeholder="Recorded on acknowledge and resolve" autocomplete="name" /></label>
      <label class="field grow"><span>Comment</span><input type="search" id="alerts-comment" placeholder="Sent with the next acknowledge or resolve" autocomplete="off" /></label>
    </form>
    <p id="alerts-status" class="notice" role="status" aria-live="polite" hidden></p>
    <div id="alerts-body"><section class="state card" role="status"><p>Loading alerts…</p></section></div>`;
  const body = main.querySelector('#alerts-body') as HTMLElement;
  const status = main.querySelector('#alerts-status') as HTMLElement;
  const summary = main.querySelector('#alerts-summary') as HTMLElement;
  const stateSelect = main.querySelector('#alerts-state') as HTMLSelectElement;
  const severitySelect = main.querySelector('#alerts-severity') as HTMLSelectElement;
  const assetInput = main.querySelector('#alerts-asset') as HTMLInputElement;
  const operatorInput = main.querySelector('#alerts-operator') as HTMLInputElement;
  const commentInput = main.querySelector('#alerts-comment') as HTMLInputElement;
  operatorInput.value = localStorage.getItem(OPERATOR_STORAGE) ?? '';
  assetInput.value = new URLSearchParams(location.search).get('asset') ?? '';
  main.querySelector('form')?.addEventListener('submit', (event) => event.preventDefault());
  let disposed = false;

  const say = (text: string, error = false) => {
    status.hidden = false;
    status.textContent = text;
    status.classList.toggle('error', error);
  };

  const render = (alerts: Alert[]) => {
    summary.textContent = `${alerts.length} alert${alerts.length === 1 ? '' : 's'}`;
    if (alerts.length === 0) {
      body.innerHTML = `<section class="state card"><h2>No alerts yet</h2>
        <p>Alerts appear here when an alert rule fires for an asset (add rules with <code>POST /v1/alert-rules</code>):
        open, acknowledged and resolved, with the asset, the time and the reason.</p></section>`;
      return;
    }
    body.innerHTML = `<style>table.alerts td.wrap { white-space: normal; min-width: 14rem; }</style>
      <div class="table-scroll card"><table class="alerts">
      <caption class="sr-only">Alerts</caption>
      <thead><tr><th scope="col">Opened</th><th scope="col">Asset</th><th scope="col">Severity</th><th scope="col">State</th><th scope="col">Reason</th><th scope="col">History</th><th scope="col">Actions</th></tr></thead>
      <tbody>${alerts
        .map(
          (a) => `<tr data-alert="${escapeHtml(a.id)}">
          <td>${formatTime(Date.parse(a.opened_at))}</td>
          <th scope="row"><a href="/asset/${encodeURIComponent(a.asset)}">${escapeHtml(a.asset)}</a></th>
          <td><span class="badge ${SEVERITY_BADGE[a.severity]}">${escapeHtml(a.severity)}</span></td>
          <td><span class="badge ${STATE_BADGE[a.state]}">${escapeHtml(a.state)}</span></td>
          <td class="wrap">${escapeHtml(a.message)}</td>
          <td class="wrap">${actionText(a)}</td>
          <td>${actions(a)}</td></tr>`,
        )
        .join('')}</tbody></table></div>`;
  };

  const load = async () => {
    const state = stateSelect.value;
    try {
      const fetched = await listAlerts({
        state: state === 'all' ? '' : state,
        severity: severitySelect.value,
        asset: assetInput.value.trim(),
      });
      if (disposed) return;
      render(state === '' ? fetched.filter((alert) => alert.state !== 'resolved') : fetched);
      main.dataset.ready = 'true';
    } catch (error) {
      if (disposed) return;
      if (error instanceof ApiError && error.status === 404) {
        body.innerHTML = `<section class="state card"><h2>No alerts yet</h2>
          <p>This server keeps no alerts. Start it with <code>upkeep serve</code> on a DuckDB database to raise them.</p></section>`;
        return;
      }
      const message = error instanceof ApiError ? error.message : String(error);
      body.innerHTML = `<section class="state card error" role="alert"><h2>Could not load the alerts</h2><p>${escapeHtml(message)}</p>
        <button type="button" class="button">Try again</button></section>`;
      body.querySelector('button')?.addEventListener('click', () => void load());
    }
  };

  body.addEventListener('click', async (event) => {
    const button = (event.target as Element).closest('button[data-act]') as HTMLButtonElement | null;
    if (!button) return;
    const id = button.dataset.id as string;
    const verb = button.dataset.act === 'ack' ? 'ack' : 'resolve';
    const by = operatorInput.value.trim();
    if (by) localStorage.setItem(OPERATOR_STORAGE, by);
    button.disabled = true;
    try {
      await actOnAlert(id, verb, by, commentInput.value.trim());
      commentInput.value = '';
      say(`Alert ${id} ${verb === 'ack' ? 'acknowledged' : 'resolved'}.`);
      await load();
    } catch (error) {
      button.disabled = false;
      say(`Could not update alert ${id}: ${error instanceof ApiError ? error.message : String(error)}`, true);
    }
  });
  for (const control of [stateSelect, severitySelect]) control.addEventListener('change', () => void load());
  assetInput.addEventListener('input', () => void load());
  const timer = setInterval(() => void load(), 10_000);
  void load();
  return () => {
    disposed = true;
    clearInterval(timer);
  };
};
