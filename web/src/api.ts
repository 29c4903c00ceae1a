/** The API's answers the dashboard reads (see /openapi.json). */
export interface AssetSummary {
  id: string;
  attributes: Record<string, string>;
  metrics: string[];
  reading_count: number;
  first_ts: string | null;
  last_ts: string | null;
}

export interface LatestValue {
  ts: string;
  value: number;
}

export interface AssetDetail extends AssetSummary {
  latest: Record<string, LatestValue>;
}

export interface ModelVersion {
  id: string;
  name: string;
  version: number;
  kind: string;
  task: string;
  metrics: Record<string, number>;
  created_at: string;
  active: boolean;
}

export type HealthStatus = 'ok' | 'watch' | 'alarm';

export interface RulEstimate {
  hours: number;
  lower: number;
  upper: number;
  /** At the model's cap: no failure visible yet ("more than `hours`"). */
  capped: boolean;
}

/** One asset as `GET /v1/fleet` and the event stream give it. */
export interface FleetRow {
  id: string;
  attributes: Record<string, string>;
  metrics: string[];
  last_ts: string | null;
  latest: Record<string, LatestValue>;
  status: HealthStatus | null;
  anomaly: number | null;
  failure_risk: number | null;
  rul: RulEstimate | null;
  open_alerts: number;
  alert_severity: Alert['severity'] | null;
}

export type AssetUpdate = FleetRow;

export interface FleetEvent {
  ts: string;
  full: boolean;
  assets: AssetUpdate[];
}

/** A failed API call, with the API's own message when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const KEY_STORAGE = 'upkeep.apiKey';

/** The API key the user entered for a server that requires keys (kept in this browser only). */
export function apiKey(): string | null {
  return localStorage.getItem(KEY_STORAGE);
}

export function setApiKey(key: string | null): void {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

/** Headers every API call carries: the API key when one was entered. */
export function authHeaders(): Record<string, string> {
  const key = apiKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** Fired on `window` when the server asks for an API key (401) or refuses the entered one (403). */
export const AUTH_REQUIRED_EVENT = 'upkeep:auth-required';

export function reportAuthProblem(status: number): void {
  if (status === 401 || status === 403) window.dispatchEvent(new CustomEvent(AUTH_REQUIRED_EVENT, { detail: status }));
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: { Accept: 'application/json', ...authHeaders(), ...init?.headers },
    });
  } catch {
    throw new ApiError(0, 'the server cannot be reached');
  }
  if (!response.ok) {
    reportAuthProblem(response.status);
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { error?: string };
      if (body.error) message = body.error;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, message);
  }
  return (await response.json()) as T;
}

const ASSET_PAGE = 1000;

/** Every asset, fetched a page of 1,000 at a time. */
export async function listAllAssets(): Promise<AssetSummary[]> {
  const assets: AssetSummary[] = [];
  for (let offset = 0; ; offset += ASSET_PAGE) {
    const page = await request<{ assets: AssetSummary[] }>(`/v1/assets?limit=${ASSET_PAGE}&offset=${offset}`);
    assets.push(...page.assets);
    if (page.assets.length < ASSET_PAGE) return assets;
  }
}

export function getAsset(id: string): Promise<AssetDetail> {
  return request(`/v1/assets/${encodeURIComponent(id)}`);
}

export interface FleetAnswer {
  ts: string;
  models: { failure_risk: string | null; rul: string | null };
  assets: FleetRow[];
}

/** The whole fleet in one call. */
export function getFleet(): Promise<FleetAnswer> {
  return request('/v1/fleet');
}

export interface Why {
  model_id: string;
  input: Record<string, string | number | null>;
  bias: number;
  contributions: { feature: string; value: number }[];
}

/** One asset's fleet row and the feature contributions behind its failure risk. */
export function getFleetAsset(id: string): Promise<{ asset: FleetRow; why: Why | null }> {
  return request(`/v1/fleet/${encodeURIComponent(id)}`);
}

export interface TrajectoryPoint {
  ts: string;
  failure_risk: number | null;
  rul: RulEstimate | null;
}

/** Failure risk and RUL over a range, from the active models. */
export async function getTrajectory(id: string, from: number, to: number, points = 200): Promise<TrajectoryPoint[]> {
  const query = new URLSearchParams({
    from: String(Math.floor(from)),
    to: String(Math.ceil(to)),
    points: String(points),
  });
  return (await request<{ points: TrajectoryPoint[] }>(`/v1/fleet/${encodeURIComponent(id)}/trajectory?${query}`))
    .points;
}

/** `GET /v1/assets/{id}/health`; its `rul` may be filled by the RUL pipeline (any shape is read defensively). */
export interface AssetHealth {
  asset: string;
  status: HealthStatus;
  anomaly: { likelihood: number; metrics: Record<string, { likelihood: number; ts: string }> };
  failure_risk: unknown;
  rul: unknown;
}

export function getHealth(id: string): Promise<AssetHealth> {
  return request(`/v1/assets/${encodeURIComponent(id)}/health`);
}

/**
 * Values of one metric in [from, to) (epoch ms), earliest first, as parallel arrays of seconds and values; with
 * `points` the server keeps about that many (per time column the first, last, lowest and highest).
 */
export async function getSeries(
  id: string,
  metric: string,
  from: number,
  to?: number,
  points?: number,
): Promise<[Float64Array, Float64Array]> {
  const query = new URLSearchParams({ metric, from: String(Math.floor(from)), limit: '100000' });
  if (to !== undefined) query.set('to', String(Math.ceil(to)));
  if (points !== undefined) query.set('points', String(points));
  const body = await request<{ readings: { ts: string; value: number }[] }>(
    `/v1/assets/${encodeURIComponent(id)}/readings?${query}`,
  );
  const xs = new Float64Array(body.readings.length);
  const ys = new Float64Array(body.readings.length);
  for (let i = 0; i < body.readings.length; i++) {
    xs[i] = Date.parse(body.readings[i].ts) / 1000;
    ys[i] = body.readings[i].value;
  }
  return [xs, ys];
}

export async function listModels(): Promise<ModelVersion[]> {
  return (await request<{ models: ModelVersion[] }>('/v1/models')).models;
}

export function promoteModel(id: string): Promise<ModelVersion> {
  return request(`/v1/models/${encodeURIComponent(id)}/promote`, { method: 'POST' });
}

export interface AlertAction {
  by: string;
  at: string;
  comment: string;
}

export interface Alert {
  id: string;
  rule_id: string;
  asset: string;
  severity: 'critical' | 'major' | 'minor' | 'warning';
  state: 'open' | 'acknowledged' | 'resolved';
  message: string;
  value: number;
  opened_at: string;
  acknowledged: AlertAction | null;
  resolved: AlertAction | null;
  resolution: 'manual' | 'auto' | null;
}

/** Alerts newest first; empty filter values are left out. */
export async function listAlerts(filters: { state?: string; severity?: string; asset?: string }): Promise<Alert[]> {
  const query = new URLSearchParams({ limit: '500' });
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  return (await request<{ alerts: Alert[] }>(`/v1/alerts?${query}`)).alerts;
}

/** Acknowledges (`ack`) or resolves an alert; without `by` the server records the API key's name. */
export function actOnAlert(id: string, verb: 'ack' | 'resolve', by: string, comment: string): Promise<Alert> {
  return request(`/v1/alerts/${encodeURIComponent(id)}/${verb}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(by ? { by, comment } : { comment }),
  });
}

export interface ModelDetail extends ModelVersion {
  card: {
    kind: string;
    task: string;
    target: string;
    featureNames: string[];
    trainingData: { rows: number; columns: number; source?: string };
    validation: {
      method: string;
      folds?: number;
      rows: number;
      metrics: Record<string, unknown> | null;
    };
    threshold?: number;
    diagnostics: Record<string, unknown>;
    standardizedCoefficients?: Record<string, number>;
  };
  /** Gain per feature for tree models (when the API gives it). */
  importance?: Record<string, number>;
}

export function getModel(id: string): Promise<ModelDetail> {
  return request(`/v1/models/${encodeURIComponent(id)}`);
}

export interface Job {
  id: string;
  kind: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  progress: number;
  message?: string | null;
  error?: string | null;
  result?: unknown;
  created_at?: string;
}

export function getJob(id: string): Promise<Job> {
  return request(`/v1/jobs/${encodeURIComponent(id)}`);
}

/** Starts training a new version (a background job). */
export function startTraining(body: Record<string, unknown>): Promise<{ job_id: string; job: Job }> {
  return request('/v1/models', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export interface Ingestion {
  ts: string;
  readings_total: number;
  readings_per_second: number | null;
  queued: number | null;
  processed_by_source: Record<string, number>;
  rejected_readings_by_source: Record<string, number>;
  rejected_batches_by_reason: Record<string, number>;
  failed_readings: number;
  dead_letters: {
    total: number;
    latest: { id: number; received_at: string; source: string; topic: string; reason: string }[];
  } | null;
}

export function getIngestion(): Promise<Ingestion> {
  return request('/v1/ingestion');
}
