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

/** A probability as a percentage: "91 %", "<1 %" for small non-zero values, "—" without one. */
export function formatPercent(probability: number | null | undefined): string {
  if (probability === null || probability === undefined || !Number.isFinite(probability)) return '—';
  const percent = probability * 100;
  if (percent > 0 && percent < 1) return '<1 %';
  return `${Math.round(percent)} %`;
}

/** A duration in hours, in minutes below two hours: "45 min", "3.5 h". */
export function formatHours(hours: number): string {
  if (hours < 2) return `${Math.round(hours * 60)} min`;
  return `${Number(hours.toFixed(1))} h`;
}

/**
 * Remaining useful life with its interval, all in one unit (minutes when the interval ends within two hours):
 * "22 (0–48) min", or "> 2 h" when the estimate is at the model's cap (no failure in sight).
 */
export function formatRul(rul: { hours: number; lower: number; upper: number; capped: boolean } | null): string {
  if (!rul) return '—';
  if (rul.capped) return `> ${Number(rul.hours.toFixed(1))} h`;
  if (rul.upper < 2) {
    const m = (h: number) => Math.round(h * 60);
    return `${m(rul.hours)} min (${m(rul.lower)}–${m(rul.upper)})`;
  }
  const h = (value: number) => Number(value.toFixed(1));
  return `${h(rul.hours)} h (${h(rul.lower)}–${h(rul.upper)})`;
}
