/** Escapes text for insertion into HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A metric value with about four significant digits, thousands grouped. */
export function formatValue(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const magnitude = Math.abs(value);
  const digits = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 10 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits });
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago"; "never" without a time. */
export function formatAgo(epochMs: number | null, now: number): string {
  if (epochMs === null) return 'never';
  const seconds = Math.max(0, Math.round((now - epochMs) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** Local date and time to the second, e.g. "2026-11-23 16:45:02". */
export function formatTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const UNITS: Record<string, string> = { temperature: '°C', vibration: 'mm/s', pressure: 'bar', rpm: 'rpm' };

/** The unit of a well-known metric, or an empty string. */
export function unitOf(metric: string): string {
  return UNITS[metric] ?? '';
}

/** "temperature" → "Temperature", "rpm" → "RPM". */
export function metricLabel(metric: string): string {
  if (metric === 'rpm') return 'RPM';
  const spaced = metric.replace(/[_-]+/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

const PREFERRED_METRICS = ['temperature', 'vibration', 'pressure', 'rpm'];

/** Well-known metrics first in a fixed order, then the rest alphabetically. */
export function orderMetrics(metrics: string[]): string[] {
  const rank = (metric: string) => {
    const index = PREFERRED_METRICS.indexOf(metric);
    return index < 0 ? PREFERRED_METRICS.length : index;
  };
  return [...metrics].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
