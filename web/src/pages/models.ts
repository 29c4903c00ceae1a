import {
  ApiError,
  getJob,
  getModel,
  type Job,
  listModels,
  type ModelDetail,
  type ModelVersion,
  promoteModel,
  startTraining,
} from '../api';
import { escapeHtml, formatTime } from '../format';
import type { Page } from '../router';
import { barsHtml, curveSvg, scatterSvg } from '../svg-charts';

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
  brier: 'Brier',
};
const LISTED_METRICS = ['rocAuc', 'averagePrecision', 'f1', 'rmse', 'mae', 'r2'];
const JOB_POLL_MS = 500;

function formatMetric(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(3);
}

function metricsList(metrics: Record<string, number>, keys: string[] = LISTED_METRICS): string {
  const entries = keys.filter((k) => Number.isFinite(metrics[k])).map((k) => [k, metrics[k]] as const);
  if (entries.length === 0) return '<span class="muted">—</span>';
  return `<dl class="metrics">${entries
    .map(([k, v]) => `<div><dt>${escapeHtml(METRIC_LABELS[k] ?? k)}</dt><dd>${formatMetric(v)}</dd></div>`)
    .join('')}</dl>`;
}

interface Evaluation {
  rows?: number;
  source?: string;
  roc?: { fpr: number[]; tpr: number[] };
  pr?: { recall: number[]; precision: number[] };
  importance?: Record<string, number>;
  predicted_vs_true?: { true: number[]; predicted: number[] };
}

function confusionHtml(metrics: Record<string, unknown> | null): string {
  const confusion = metrics?.confusion as
    | { truePositives: number; falsePositives: number; trueNegatives: number; falseNegatives: number }
    | undefined;
  if (!confusion) return '';
  const threshold = typeof metrics?.threshold === 'number' ? ` at threshold ${formatMetric(metrics.threshold)}` : '';
  return `<section class="detail-block"><h3>Confusion matrix</h3>
    <table class="confusion"><caption class="muted">Validation rows${threshold}</caption>
      <thead><tr><td></td><th scope="col">Predicted no failure</th><th scope="col">Predicted failure</th></tr></thead>
      <tbody>
        <tr><th scope="row">Actual no failure</th><td class="good">${confusion.trueNegatives.toLocaleString()}</td><td class="bad">${confusion.falsePositives.toLocaleString()}</td></tr>
        <tr><th scope="row">Actual failure</th><td class="bad">${confusion.falseNegatives.toLocaleString()}</td><td class="good">${confusion.truePositives.toLocaleString()}</td></tr>
      </tbody></table></section>`;
}

function detailHtml(model: ModelDetail): string {
  const card = model.card;
  const evaluation = (card as unknown as { evaluation?: Evaluation }).evaluation;
  const validation = card.validation;
  const method =
    validation.method === 'kfold'
      ? `${validation.folds ?? ''}-fold cross-validation over ${validation.rows.toLocaleString()} rows`
      : validation.method === 'holdout'
        ? `a holdout of ${validation.rows.toLocaleString()} rows`
        : 'no validation (too little data)';
  const blocks: string[] = [];
  blocks.push(`<section class="detail-block"><h3>Validation metrics</h3>${metricsList(model.metrics, Object.keys(METRIC_LABELS))}
    <p class="muted">From ${escapeHtml(method)}; trained on ${card.trainingData.rows.toLocaleString()} rows${card.trainingData.source ? ` of ${escapeHtml(card.trainingData.source)}` : ''}; target <code>${escapeHtml(card.target)}</code>.</p></section>`);
  blocks.push(confusionHtml(validation.metrics));
  if (evaluation?.roc) {
    blocks.push(
      `<section class="detail-block"><h3>ROC curve</h3>${curveSvg(`ROC curve of ${model.id}`, 'false positive rate', 'true positive rate', evaluation.roc.fpr, evaluation.roc.tpr, true)}</section>`,
    );
  }
  if (evaluation?.pr) {
    blocks.push(
      `<section class="detail-block"><h3>Precision–recall</h3>${curveSvg(`Precision-recall curve of ${model.id}`, 'recall', 'precision', evaluation.pr.recall, evaluation.pr.precision, false)}</section>`,
    );
  }
  if (evaluation?.predicted_vs_true) {
    blocks.push(
      `<section class="detail-block"><h3>RUL: predicted vs true</h3>${scatterSvg(`Predicted against true remaining life of ${model.id}`, evaluation.predicted_vs_true.true, evaluation.predicted_vs_true.predicted, 'h')}</section>`,
    );
  }
  const importance = evaluation?.importance ?? card.standardizedCoefficients;
  if (importance) {
    blocks.push(`<section class="detail-block"><h3>Feature importance</h3>${barsHtml(importance, `Feature importance of ${model.id}`)}
      <p class="muted">${evaluation?.importance ? 'Gain per feature' : 'Standardised coefficients'}.</p></section>`);
  }
  if (!evaluation?.roc && !evaluation?.predicted_vs_true) {
    blocks.push(`<section class="detail-block"><h3>Curves</h3><p class="muted">No held-out curves were recorded for this version
      (the default models record them; versions trained from a file show the validation metrics and the confusion matrix).</p></section>`);
  }
  if (evaluation?.source) {
    blocks.push(
      `<p class="muted detail-note">Curves and importance measured on ${evaluation.rows?.toLocaleString() ?? ''} rows of ${escapeHtml(evaluation.source)}.</p>`,
    );
  }
  return `<div class="detail-grid">${blocks.join('')}</div>`;
}

/** Models: every version with metrics; details with curves and importance; promote; train a new version as a job. */
export const modelsPage: Page = (main) => {
  document.title = 'Models · Upkeep';
  main.innerHTML = `
    <div class="page-head"><h1>Models</h1><p class="summary">Trained versions; the active version of each name serves its predictions.</p></div>
    <p id="models-status" class="notice" role="status" aria-live="polite" hidden></p>
    <div id="models-body"><section class="state card" role="status"><p>Loading models…</p></section></div>
    <section class="card" id="model-detail" aria-labelledby="detail-h" hidden><h2 id="detail-h">Version</h2><div id="detail-body"></div></section>
    <section class="card" aria-labelledby="train-h"><h2 id="train-h">Train a new version</h2>
      <form id="train-form" class="train-form">
        <label class="field"><span>Model name</span><input name="name" required value="failure-risk" autocomplete="off" pattern="[A-Za-z0-9][A-Za-z0-9._\\-]*" /></label>
        <label class="field"><span>Target column</span><input name="target" required placeholder="failure" autocomplete="off" /></label>
        <label class="field"><span>Model</span><select name="model">
          <option value="auto">auto (search)</option><option value="gbdt">gradient-boosted trees</option>
          <option value="logistic">logistic regression</option><option value="linear">linear regression</option></select></label>
        <label class="field"><span>Columns to leave out</span><input name="drop" placeholder="machine_id, ts" autocomplete="off" /></label>
        <label class="field grow"><span>Training data (CSV with a header row)</span><input name="file" type="file" accept=".csv,text/csv" required /></label>
        <div class="form-actions"><button type="submit" class="button">Start training</button></div>
      </form>
      <div id="train-progress" hidden>
        <label for="train-bar" class="muted" id="train-label">Training…</label>
        <progress id="train-bar" max="1" value="0"></progress>
      </div>
    </section>`;
  const body = main.querySelector('#models-body') as HTMLElement;
  const status = main.querySelector('#models-status') as HTMLElement;
  const detail = main.querySelector('#model-detail') as HTMLElement;
  const detailBody = main.querySelector('#detail-body') as HTMLElement;
  const detailHeading = main.querySelector('#detail-h') as HTMLElement;
  const form = main.querySelector('#train-form') as HTMLFormElement;
  const progressBox = main.querySelector('#train-progress') as HTMLElement;
  const progressBar = main.querySelector('#train-bar') as HTMLProgressElement;
  const progressLabel = main.querySelector('#train-label') as HTMLElement;
  let disposed = false;
  let selected: string | undefined;
  let jobTimer: ReturnType<typeof setTimeout> | undefined;

  const say = (text: string, error = false) => {
    status.hidden = false;
    status.textContent = text;
    status.classList.toggle('error', error);
  };

  const showDetail = async (id: string) => {
    selected = id;
    detail.hidden = false;
    detailHeading.textContent = id;
    detailBody.innerHTML = '<p class="muted" role="status">Loading…</p>';
    for (const button of body.querySelectorAll<HTMLButtonElement>('[data-detail]')) {
      button.setAttribute('aria-expanded', String(button.dataset.detail === id));
    }
    try {
      const model = await getModel(id);
      if (disposed || selected !== id) return;
      detailHeading.textContent = `${model.name} v${model.version} · ${model.kind} · ${model.task}${model.active ? ' · active' : ''}`;
      detailBody.innerHTML = detailHtml(model);
    } catch (error) {
      if (disposed) return;
      detailBody.innerHTML = `<p class="error-text" role="alert">Could not load ${escapeHtml(id)}: ${escapeHtml(error instanceof ApiError ? error.message : String(error))}</p>`;
    }
  };

  const render = (models: ModelVersion[]) => {
    if (models.length === 0) {
      body.innerHTML = `<section class="state card"><h2>No models yet</h2>
        <p>Trained models are listed here with their validation metrics. Train one below, with <code>upkeep train</code>
        or <code>POST /v1/models</code>; the first version of a name becomes active.</p></section>`;
      return;
    }
    const ordered = [...models].sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version);
    body.innerHTML = `<div class="table-scroll card"><table class="models">
      <caption class="sr-only">Model versions, newest first per name</caption>
      <thead><tr><th scope="col">Version</th><th scope="col">Kind</th><th scope="col">Task</th><th scope="col">Validation metrics</th><th scope="col">Trained</th><th scope="col">State</th><th scope="col"><span class="sr-only">Details</span></th></tr></thead>
      <tbody>${ordered
        .map(
          (m) => `<tr data-model="${escapeHtml(m.id)}">
          <th scope="row"><span class="model-name">${escapeHtml(m.name)}</span> <span class="muted">v${m.version}</span></th>
          <td>${escapeHtml(m.kind)}</td><td>${escapeHtml(m.task)}</td>
          <td>${metricsList(m.metrics)}</td>
          <td>${formatTime(Date.parse(m.created_at))}</td>
          <td>${
            m.active
              ? '<span class="badge ok">Active</span>'
              : `<button type="button" class="button small" data-promote="${escapeHtml(m.id)}" aria-label="Promote ${escapeHtml(m.id)} to active">Promote</button>`
          }</td>
          <td><button type="button" class="button small secondary" data-detail="${escapeHtml(m.id)}" aria-expanded="${selected === m.id}" aria-controls="model-detail" aria-label="Details of ${escapeHtml(m.id)}">Details</button></td></tr>`,
        )
        .join('')}</tbody></table></div>`;
    for (const button of body.querySelectorAll<HTMLButtonElement>('[data-detail]')) {
      button.addEventListener('click', () => void showDetail(button.dataset.detail as string));
    }
    for (const button of body.querySelectorAll<HTMLButtonElement>('[data-promote]')) {
      button.addEventListener('click', async () => {
        const id = button.dataset.promote as string;
        button.disabled = true;
        button.textContent = 'Promoting…';
        try {
          const promoted = await promoteModel(id);
          say(`${promoted.name} v${promoted.version} is now active.`);
          await load();
          if (selected) void showDetail(selected);
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
      if (disposed) return;
      render(models);
      main.dataset.ready = 'true';
      if (!selected) {
        const first = models.find((m) => m.active);
        if (first) void showDetail(first.id);
      }
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

  const watchJob = async (jobId: string) => {
    let job: Job;
    try {
      job = await getJob(jobId);
    } catch (error) {
      progressLabel.textContent = `Lost track of the job: ${error instanceof ApiError ? error.message : String(error)}`;
      return;
    }
    if (disposed) return;
    progressBar.value = job.progress;
    const percent = Math.round(job.progress * 100);
    if (job.state === 'succeeded') {
      const result = job.result as { model_id?: string } | null;
      progressLabel.textContent = `Trained ${result?.model_id ?? 'a new version'}.`;
      say(`Training finished: ${result?.model_id ?? 'a new version'} is listed above.`);
      (form.querySelector('button[type="submit"]') as HTMLButtonElement).disabled = false;
      await load();
      if (result?.model_id) void showDetail(result.model_id);
      return;
    }
    if (job.state === 'failed' || job.state === 'cancelled') {
      progressLabel.textContent = `Training ${job.state}: ${job.error ?? ''}`;
      say(`Training ${job.state}: ${job.error ?? 'no reason given'}`, true);
      (form.querySelector('button[type="submit"]') as HTMLButtonElement).disabled = false;
      return;
    }
    progressLabel.textContent = `${job.state === 'queued' ? 'Queued' : 'Training'}… ${percent} %${job.message ? ` · ${job.message}` : ''}`;
    jobTimer = setTimeout(() => void watchJob(jobId), JOB_POLL_MS);
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const file = data.get('file');
    if (!(file instanceof File) || file.size === 0) {
      say('Choose a CSV file with a header row to train on.', true);
      return;
    }
    const submit = form.querySelector('button[type="submit"]') as HTMLButtonElement;
    submit.disabled = true;
    try {
      const csv = await file.text();
      const drop = String(data.get('drop') ?? '')
        .split(',')
        .map((column) => column.trim())
        .filter(Boolean);
      const accepted = await startTraining({
        name: String(data.get('name')).trim(),
        target: String(data.get('target')).trim(),
        model: String(data.get('model')),
        drop,
        data: { csv },
      });
      progressBox.hidden = false;
      progressBar.value = 0;
      progressLabel.textContent = 'Queued…';
      say(`Training job ${accepted.job_id} started.`);
      void watchJob(accepted.job_id);
    } catch (error) {
      submit.disabled = false;
      say(`Could not start training: ${error instanceof ApiError ? error.message : String(error)}`, true);
    }
  });

  void load();
  return () => {
    disposed = true;
    if (jobTimer) clearTimeout(jobTimer);
  };
};
