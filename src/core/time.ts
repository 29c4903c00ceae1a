const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Epoch-ms values outside years 1970–2200 are almost surely seconds, microseconds or garbage. */
const EPOCH_MS_MIN = 0;
const EPOCH_MS_MAX = 7_258_118_400_000;

/**
 * Parses a reading's time: an ISO-8601 string (`2026-01-01T00:00:00Z`, a space instead of `T`, an offset or none
 * meaning UTC) or epoch milliseconds. Returns epoch milliseconds, or `undefined` for an unknown format.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= EPOCH_MS_MIN && value <= EPOCH_MS_MAX ? Math.round(value) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const match = ISO_8601.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone] = match;
  const monthIndex = Number(month) - 1;
  const dayOfMonth = Number(day);
  if (monthIndex < 0 || monthIndex > 11 || dayOfMonth < 1 || dayOfMonth > 31) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60) return undefined;
  const millis = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  let epoch = Date.UTC(Number(year), monthIndex, dayOfMonth, Number(hour), Number(minute), Number(second), millis);
  if (new Date(Date.UTC(Number(year), monthIndex, dayOfMonth)).getUTCDate() !== dayOfMonth) return undefined;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    epoch -= sign * offsetMinutes * 60_000;
  }
  return epoch;
}

/** Epoch milliseconds as an ISO-8601 UTC string. */
export function formatTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
