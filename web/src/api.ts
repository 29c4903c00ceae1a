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

export interface AssetUpdate {
  id: string;
  last_ts: string | null;
  latest: Record<string, LatestValue>;
}

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

/** Values of one metric from `from` (epoch ms) on, earliest first, as parallel arrays of seconds and values. */
export async function getSeries(id: string, metric: string, from: number): Promise<[number[], number[]]> {
  const query = new URLSearchParams({ metric, from: String(Math.floor(from)), limit: '100000' });
  const body = await request<{ readings: { ts: string; value: number }[] }>(
    `/v1/assets/${encodeURIComponent(id)}/readings?${query}`,
  );
  const xs = new Array<number>(body.readings.length);
  const ys = new Array<number>(body.readings.length);
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
