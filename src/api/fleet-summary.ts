/**
 * The fleet as the dashboard shows it, one row per asset: latest values, anomaly likelihood, failure risk, remaining
 * useful life with its interval and active alerts. Kept in memory and refreshed incrementally: only assets whose
 * last stored time moved are read again, anomaly scoring runs in the background in slices of at most
 * `scoringBudgetMs` (unscored assets say so with nulls until a later refresh), and the active default models score
 * every changed asset in one batch.
 */

import type { Alert } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import { formatTimestamp } from '../core/time.js';
import { frameFromRows } from '../io/frame.js';
import { FAILURE_RISK_MODEL, featureRow, RUL_CAP_HOURS, RUL_MODEL } from '../jobs/default-models.js';
import { TrainedModel } from '../models/trained-model.js';
import { type AssetHealthScorer, type HealthStatus, healthStatus } from '../scoring/asset-health.js';
import type { AlertStore } from '../store/alerts.js';
import { DuckDBStore } from '../store/duckdb.js';
import type { ModelRegistry } from '../store/registry.js';
import type { AssetSummary, LatestValue, Store } from '../store/store.js';

/** z for a two-sided 90 % interval from the validation RMSE. */
const INTERVAL_Z = 1.645;
const ASSET_PAGE = 1000;

export interface RulEstimate {
  /** Remaining useful life (hours), the model's point estimate. */
  hours: number;
  /** A 90 % interval: the estimate ± 1.645 × the validation RMSE, within [0, cap]. */
  lower: number;
  upper: number;
  /** True when the estimate is at the cap: no failure is visible in the values yet ("more than `hours`"). */
  capped: boolean;
}

export interface FleetRow {
  id: string;
  attributes: Record<string, string>;
  metrics: string[];
  last_ts: string | null;
  latest: Record<string, { ts: string; value: number }>;
  /** Worst of the anomaly status and the failure-risk status; null until the asset has been scored. */
  status: HealthStatus | null;
  /** Largest anomaly likelihood over the metrics' latest values; null until scored. */
  anomaly: number | null;
  /** Probability of failure within the model's horizon from the active failure-risk model; null without one. */
  failure_risk: number | null;
  rul: RulEstimate | null;
  /** Open and acknowledged alerts. */
  open_alerts: number;
  /** The most severe of those alerts, or null. */
  alert_severity: Alert['severity'] | null;
}

interface Entry {
  row: FleetRow;
  lastTs: number | null;
  /** Last time the anomaly scorer saw (null: never scored). */
  scoredTs: number | null | undefined;
  anomalyStatus: HealthStatus | null;
  latestValues: Record<string, number>;
  /** Serialised row as last handed out, to tell which rows changed. */
  signature: string;
}

interface LoadedModel {
  id: string;
  model: TrainedModel;
  rmse: number;
}

export interface FleetSummaryOptions {
  store: Store;
  clock: Clock;
  scorer: AssetHealthScorer;
  registry?: ModelRegistry;
  alerts?: AlertStore;
  /** Wall time spent on anomaly scoring per refresh (ms, default 400). */
  scoringBudgetMs?: number;
  /** A refresh younger than this is reused (ms, default 1,000). */
  maxAgeMs?: number;
}

const SEVERITY_RANK: Record<Alert['severity'], number> = { warning: 1, minor: 2, major: 3, critical: 4 };
const STATUS_RANK: Record<HealthStatus, number> = { ok: 0, watch: 1, alarm: 2 };

function worst(a: HealthStatus | null, b: HealthStatus | null): HealthStatus | null {
  if (a === null) return b;
  if (b === null) return a;
  return STATUS_RANK[a] >= STATUS_RANK[b] ? a : b;
}

export class FleetSummary {
  private readonly entries = new Map<string, Entry>();
  private refreshing: Promise<FleetRow[]> | undefined;
  private refreshedAt = Number.NEGATIVE_INFINITY;
  private failureModel: LoadedModel | undefined;
  private rulModel: LoadedModel | undefined;
  private modelIds = { failure: null as string | null, rul: null as string | null };
  private riskThreshold = 0.5;
  /** Anomaly scoring runs beside the refreshes (never delaying an answer); its results show in the next one. */
  private scoring: Promise<void> | undefined;

  constructor(private readonly options: FleetSummaryOptions) {}

  /** The active models the rows were scored with. */
  models(): { failure_risk: string | null; rul: string | null } {
    return { failure_risk: this.modelIds.failure, rul: this.modelIds.rul };
  }

  /**
   * Every row. The first call waits for the first refresh; later ones answer at once from memory and start a
   * refresh in the background when the last is older than `maxAgeMs` (so rows are at most one refresh behind).
   */
  async rows(): Promise<FleetRow[]> {
    const stale = this.options.clock.now() - this.refreshedAt >= (this.options.maxAgeMs ?? 1000);
    if (this.refreshedAt === Number.NEGATIVE_INFINITY) await this.refresh();
    else if (stale) void this.refresh().catch(() => undefined);
    return [...this.entries.values()].map((entry) => entry.row);
  }

  /** Every row after a refresh that started now (for pollers that must not miss a change). */
  async freshRows(): Promise<FleetRow[]> {
    await this.refresh();
    return [...this.entries.values()].map((entry) => entry.row);
  }

  /** One row (refreshed like `rows`); undefined for an unknown asset. */
  async row(id: string): Promise<FleetRow | undefined> {
    await this.rows();
    return this.entries.get(id)?.row;
  }

  /** The active failure-risk model and the input row of an asset, for explanations. */
  explainInput(
    id: string,
  ): { model: TrainedModel; modelId: string; input: Record<string, string | number | null> } | undefined {
    const entry = this.entries.get(id);
    if (!entry || !this.failureModel) return undefined;
    return {
      model: this.failureModel.model,
      modelId: this.failureModel.id,
      input: featureRow(entry.row.attributes, entry.latestValues),
    };
  }

  /** Re-reads what changed; resolves with the rows that differ from what the previous refresh handed out. */
  refresh(): Promise<FleetRow[]> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<FleetRow[]> {
    const { store } = this.options;
    const summaries: AssetSummary[] = [];
    for (let offset = 0; ; offset += ASSET_PAGE) {
      const page = await store.listAssets({ limit: ASSET_PAGE, offset });
      summaries.push(...page);
      if (page.length < ASSET_PAGE) break;
    }
    const seen = new Set<string>();
    const moved: Entry[] = [];
    for (const summary of summaries) {
      seen.add(summary.id);
      let entry = this.entries.get(summary.id);
      if (!entry) {
        entry = {
          row: {
            id: summary.id,
            attributes: summary.attributes,
            metrics: summary.metrics,
            last_ts: null,
            latest: {},
            status: null,
            anomaly: null,
            failure_risk: null,
            rul: null,
            open_alerts: 0,
            alert_severity: null,
          },
          lastTs: null,
          scoredTs: undefined,
          anomalyStatus: null,
          latestValues: {},
          signature: '',
        };
        this.entries.set(summary.id, entry);
      }
      entry.row.attributes = summary.attributes;
      entry.row.metrics = summary.metrics;
      if (entry.lastTs !== summary.lastTs || entry.row.last_ts === null) {
        entry.lastTs = summary.lastTs;
        entry.row.last_ts = summary.lastTs === null ? null : formatTimestamp(summary.lastTs);
        if (summary.lastTs !== null) moved.push(entry);
      }
    }
    for (const id of this.entries.keys()) if (!seen.has(id)) this.entries.delete(id);

    const latest = await this.latestValues(moved.map((entry) => entry.row.id));
    for (const entry of moved) {
      const values = latest.get(entry.row.id) ?? {};
      entry.row.latest = {};
      entry.latestValues = {};
      for (const [metric, value] of Object.entries(values)) {
        entry.row.latest[metric] = { ts: formatTimestamp(value.ts), value: value.value };
        entry.latestValues[metric] = value.value;
      }
    }
    const modelsChanged = await this.loadModels();
    this.predict(modelsChanged ? [...this.entries.values()] : moved);
    this.scoring ??= this.scoreAnomalies()
      .catch(() => undefined)
      .finally(() => {
        this.scoring = undefined;
      });
    await this.countAlerts();

    const changed: FleetRow[] = [];
    for (const entry of this.entries.values()) {
      entry.row.status = worst(entry.anomalyStatus, this.riskStatus(entry.row.failure_risk));
      const signature = JSON.stringify(entry.row);
      if (signature !== entry.signature) {
        entry.signature = signature;
        changed.push(entry.row);
      }
    }
    this.refreshedAt = this.options.clock.now();
    return changed;
  }

  private riskStatus(risk: number | null): HealthStatus | null {
    if (risk === null) return null;
    if (risk >= this.riskThreshold) return 'alarm';
    if (risk >= this.riskThreshold / 2) return 'watch';
    return 'ok';
  }

  /** Latest value of every metric of the assets: one query on DuckDB, one per asset elsewhere. */
  private async latestValues(ids: string[]): Promise<Map<string, Record<string, LatestValue>>> {
    const result = new Map<string, Record<string, LatestValue>>();
    if (ids.length === 0) return result;
    const { store } = this.options;
    if (store instanceof DuckDBStore && ids.length > 8) {
      const list = ids.map((id) => `'${id.replaceAll("'", "''")}'`).join(', ');
      const sql = `SELECT asset, metric, epoch_ms(max(ts))::DOUBLE, arg_max(value, ts) FROM readings
        WHERE asset IN (${list}) GROUP BY asset, metric`;
      const columns = await store.withReader(async (connection) => (await connection.runAndReadAll(sql)).getColumns());
      const [assets = [], metrics = [], times = [], values = []] = columns;
      for (let row = 0; row < assets.length; row++) {
        const id = String(assets[row]);
        const record = result.get(id) ?? {};
        record[String(metrics[row])] = { ts: Number(times[row]), value: Number(values[row]) };
        result.set(id, record);
      }
      return result;
    }
    for (const id of ids) result.set(id, await store.latestValues(id));
    return result;
  }

  /** Loads the active default models when they changed; true when they did. */
  private async loadModels(): Promise<boolean> {
    const { registry } = this.options;
    if (!registry) return false;
    const versions = await registry.listVersions();
    const activeId = (name: string) => versions.find((version) => version.name === name && version.active)?.id ?? null;
    const failureId = activeId(FAILURE_RISK_MODEL);
    const rulId = activeId(RUL_MODEL);
    if (failureId === this.modelIds.failure && rulId === this.modelIds.rul) return false;
    const load = async (id: string | null): Promise<LoadedModel | undefined> => {
      if (id === null) return undefined;
      const version = await registry.getVersion(id);
      if (!version) return undefined;
      try {
        return { id, model: TrainedModel.fromJSON(version.model), rmse: Number(version.metrics.rmse ?? 0) };
      } catch {
        return undefined;
      }
    };
    this.failureModel = await load(failureId);
    this.rulModel = await load(rulId);
    this.riskThreshold = this.failureModel?.model.threshold ?? 0.5;
    this.modelIds = { failure: failureId, rul: rulId };
    return true;
  }

  /** Failure risk and RUL of the entries, each model over all of them at once; null where a model cannot read them. */
  private predict(entries: Entry[]): void {
    const scorable = entries.filter((entry) => entry.lastTs !== null);
    if (scorable.length === 0) return;
    const predicted = this.predictRows(scorable.map((entry) => featureRow(entry.row.attributes, entry.latestValues)));
    scorable.forEach((entry, index) => {
      entry.row.failure_risk = predicted.risks?.[index] ?? null;
      entry.row.rul = predicted.lives?.[index] ?? null;
    });
  }

  /**
   * The active models over input rows (`featureRow`): failure risk and RUL with its interval per row, or undefined
   * for a model that is missing or cannot read the rows. Loads the active models first when none were loaded.
   */
  predictRows(rows: Record<string, string | number | null>[]): {
    risks?: number[];
    lives?: RulEstimate[];
  } {
    if (rows.length === 0) return {};
    const frame = frameFromRows(rows);
    const result: { risks?: number[]; lives?: RulEstimate[] } = {};
    const failure = this.failureModel;
    if (failure && failure.model.task === 'classification') {
      try {
        const probability = failure.model.predictFrame(frame).probability;
        if (probability) result.risks = Array.from(probability, (risk) => round(risk, 4));
      } catch {
        // not readable by this model: no risk
      }
    }
    const rul = this.rulModel;
    if (rul && rul.model.task !== 'classification') {
      try {
        const half = INTERVAL_Z * rul.rmse;
        result.lives = Array.from(rul.model.predictFrame(frame).prediction, (life) => {
          const hours = Math.max(0, Math.min(RUL_CAP_HOURS, life));
          return {
            hours: round(hours, 3),
            lower: round(Math.max(0, hours - half), 3),
            upper: round(Math.min(RUL_CAP_HOURS, hours + half), 3),
            capped: hours >= RUL_CAP_HOURS * 0.98,
          };
        });
      } catch {
        // not readable by this model: no RUL
      }
    }
    return result;
  }

  /** Loads the active models if the summary has not yet (for callers that predict before any refresh). */
  async ready(): Promise<void> {
    if (this.refreshedAt === Number.NEGATIVE_INFINITY) await this.refresh();
  }

  /** Anomaly likelihoods of assets with values not scored yet, stalest first, within the time budget. */
  private async scoreAnomalies(): Promise<void> {
    const budget = this.options.scoringBudgetMs ?? 400;
    const started = performance.now();
    const stale = [...this.entries.values()].filter(
      (entry) => entry.lastTs !== null && (entry.scoredTs === undefined || entry.scoredTs !== entry.lastTs),
    );
    stale.sort((a, b) => (a.scoredTs === undefined ? -1 : b.scoredTs === undefined ? 1 : 0));
    for (const entry of stale) {
      if (performance.now() - started > budget) break;
      try {
        const health = await this.options.scorer.health(entry.row.id);
        entry.row.anomaly = round(health.likelihood, 4);
        entry.anomalyStatus = healthStatus(health.likelihood, this.options.scorer.options);
        entry.scoredTs = entry.lastTs;
      } catch {
        entry.scoredTs = entry.lastTs;
      }
    }
  }

  private async countAlerts(): Promise<void> {
    const { alerts } = this.options;
    for (const entry of this.entries.values()) {
      entry.row.open_alerts = 0;
      entry.row.alert_severity = null;
    }
    if (!alerts) return;
    for (const state of ['open', 'acknowledged'] as const) {
      for (const alert of await alerts.list({ state, limit: 100_000 })) {
        const entry = this.entries.get(alert.asset);
        if (!entry) continue;
        entry.row.open_alerts++;
        const current = entry.row.alert_severity;
        if (current === null || SEVERITY_RANK[alert.severity] > SEVERITY_RANK[current]) {
          entry.row.alert_severity = alert.severity;
        }
      }
    }
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
