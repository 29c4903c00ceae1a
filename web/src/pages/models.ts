import { ApiError, listModels, type ModelVersion, promoteModel } from '../api';
import { escapeHtml, formatTime } from '../format';
import type { Page } from '../router';

const METRIC_LABELS: Record<string, string> = {
  rocAuc: 'ROC AUC',
  averagePrecision: 'Avg precision',
  f1: 'F1',
  precision: 'Precision',
  recall: 'Recall',
  accuracy: 'Accuracy',
  rmse: 'RMSE',
  mae: 'MAE',
  r2: 'R²',
  logLoss: 'Log loss',
};

function formatMetric(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(3);
}

function metricsList(metrics: Record<string, number>): string {
  const entries = Object.entries(metrics).filter(([, v]) => Number.isFinite(v));
  if (entries.length === 0) return '<span class="muted">—</span>';
  entries.sort(([a], [b]) => (a in METRIC_LABELS ? 0 : 1) - (b in METRIC_LABELS ? 0 : 1));
  return `<dl class="metrics">${entries
    .slice(0, 6)
    .map(([k, v]) => `<div><dt>${escapeHtml(METRIC_LABELS[k] ?? k)}</dt><dd>${formatMetric(v)}</dd></div>`)
    .join('')}</dl>`;
}

/** Models: every trained version with its validation metrics; the active one marked, any other promotable. */
export const modelsPage: Page = (main) => {
  document.title = 'Models · Upkeep';
  main.innerHTML = `
    <div class="page-head"><h1>Models</h1><p class="summary">Trained versions; the active version of each name serves its predictions.</p></div>
    <p id="models-status" class="notice" role="status" aria-live="polite" hidden></p>
    <div id="models-body"><section class="state card" role="status"><p>Loading models…</p></section></div>`;
  const body = main.querySelector('#models-body') as HTMLElement;
  const status = main.querySelector('#models-status') as HTMLElement;
  let disposed = false;

  const say = (text: string, error = false) => {
    status.hidden = false;
    status.textContent = text;
    status.classList.toggle('error', error);
  };

  const render = (models: ModelVersion[]) => {
    if (models.length === 0) {
      body.innerHTML = `<section class="state card"><h2>No models yet</h2>
        <p>Trained models are listed here with their validation metrics. Train one with <code>upkeep train</code>
        or <code>POST /v1/models</code>; the first version of a name becomes active.</p></section>`;
      return;
    }
    body.innerHTML = `<div class="table-scroll card"><table class="models">
      <caption class="sr-only">Model versions</caption>
      <thead><tr><th scope="col">Version</th><th scope="col">Kind</th><th scope="col">Task</th><th scope="col">Validation metrics</th><th scope="col">Trained</th><th scope="col">State</th></tr></thead>
      <tbody>${models
        .map(
          (m) => `<tr>
          <th scope="row"><span class="model-name">${escapeHtml(m.name)}</span> <span class="muted">v${m.version}</span></th>
          <td>${escapeHtml(m.kind)}</td><td>${escapeHtml(m.task)}</td>
          <td>${metricsList(m.metrics)}</td>
          <td>${formatTime(Date.parse(m.created_at))}</td>
          <td>${
            m.active
              ? '<span class="badge ok">Active</span>'
              : `<button type="button" class="button small" data-promote="${escapeHtml(m.id)}" aria-label="Promote ${escapeHtml(m.id)} to active">Promote</button>`
          }</td></tr>`,
        )
        .join('')}</tbody></table></div>`;
    for (const button of body.querySelectorAll<HTMLButtonElement>('[data-promote]')) {
      button.addEventListener('click', async () => {
        const id = button.dataset.promote as string;
        button.disabled = true;
        button.textContent = 'Promoting…';
        try {
          const promoted = await promoteModel(id);
          say(`${promoted.name} v${promoted.version} is now active.`);
          await load();
        } catch (error) {
          button.disabled = false;
          button.textContent = 'Promote';
          say(`Could not promote ${id}: ${error instanceof ApiError ? error.message : String(error)}`, true);
        }
      });
    }
  };

  const load = async () => {
    try {
      const models = await listModels();
      if (!disposed) render(models);
    } catch (error) {
      if (disposed) return;
      if (error instanceof ApiError && error.status === 404) {
        body.innerHTML = `<section class="state card"><h2>No model registry</h2>
          <p>This server keeps no trained models. Start it with <code>upkeep serve</code> to train and serve models.</p></section>`;
        return;
      }
      const message = error instanceof ApiError ? error.message : String(error);
      body.innerHTML = `<section class="state card error" role="alert"><h2>Could not load the models</h2><p>${escapeHtml(message)}</p>
        <button type="button" class="button">Try again</button></section>`;
      body.querySelector('button')?.addEventListener('click', () => void load());
    }
  };
  void load();
  return () => {
    disposed = true;
  };
};
