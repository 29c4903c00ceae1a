/** Numbers and UTC times as short labels for axes, data labels and legends. */

const MINUS = '\u2212';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SI_PREFIXES: readonly [number, string][] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e4, 'k'],
];

/** A true minus sign instead of a hyphen, as typeset numbers use. */
function withMinus(text: string): string {
  return text.startsWith('-') ? `${MINUS}${text.slice(1)}` : text;
}

/** Decimals needed to show multiples of `step` exactly (step is 1, 2 or 5 × 10^k). */
export function decimalsForStep(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/**
 * Labels for evenly spaced ticks: the same number of decimals for all (0, 0.2, 0.4 …), a k/M/G/T suffix from 10,000
 * upwards (10k, 2.5M) and exponent notation for tiny magnitudes (2e−5).
 */
export function formatTicks(ticks: readonly number[]): string[] {
  if (ticks.length === 0) return [];
  let maxAbs = 0;
  for (const tick of ticks) maxAbs = Math.max(maxAbs, Math.abs(tick));
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : maxAbs || 1;
  if (maxAbs > 0 && maxAbs < 1e-3) {
    const digits = Math.max(0, Math.floor(Math.log10(maxAbs)) - Math.floor(Math.log10(step) + 1e-9));
    return ticks.map((tick) => (tick === 0 ? '0' : withMinus(tick.toExponential(digits).replace('e-', `e${MINUS}`))));
  }
  for (const [factor, suffix] of SI_PREFIXES) {
    if (maxAbs >= factor) {
      const base = factor === 1e4 ? 1e3 : factor;
      const decimals = decimalsForStep(step / base);
      return ticks.map((tick) => (tick === 0 ? '0' : withMinus(`${(tick / base).toFixed(decimals)}${suffix}`)));
    }
  }
  const decimals = decimalsForStep(step);
  return ticks.map((tick) => withMinus((tick === 0 ? 0 : tick).toFixed(decimals)));
}

/**
 * A single value to at most `significant` digits without trailing zeros (0.08, 1.84, −0.012, 12,345), thousands
 * separated, exponent notation only for extreme magnitudes.
 */
export function formatValue(value: number, significant = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e15 || magnitude < 1e-4)
    return withMinus(value.toPrecision(significant).replace('e-', `e${MINUS}`));
  const decimals = Math.max(0, significant - 1 - Math.floor(Math.log10(magnitude)));
  return withMinus(value.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: decimals }));
}

/** An integer count with thousands separators: 9652 → "9,652". */
export function formatCount(count: number): string {
  return withMinus(Math.round(count).toLocaleString('en-US'));
}

/** A share in [0, 1] as a percentage with one decimal: 0.1234 → "12.3%". */
export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** UTC date as 2026-01-02. */
export function formatDate(epochMs: number): string {
  const date = new Date(epochMs);
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
}

/** UTC date and time to the minute: 2026-01-02 06:30. */
export function formatDateTime(epochMs: number): string {
  const date = new Date(epochMs);
  return `${formatDate(epochMs)} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}`;
}

/** The kind of time tick, which decides how much of the date a label shows. */
export type TimeUnit = 'second' | 'minute' | 'hour' | 'day' | 'month' | 'year';

/**
 * A time tick's label, naming only what changes at that tick: `06:30`, `06:30:15`; midnight as `Jan 02`; month starts
 * as `Feb` and year starts as `2026` when ticks are months apart.
 */
export function formatTimeTick(epochMs: number, unit: TimeUnit): string {
  const date = new Date(epochMs);
  const month = MONTHS[date.getUTCMonth()];
  const year = String(date.getUTCFullYear());
  if (unit === 'year') return year;
  if (unit === 'month') return date.getUTCMonth() === 0 ? year : month;
  const dayLabel = `${month} ${pad2(date.getUTCDate())}`;
  if (unit === 'day') return dayLabel;
  const hours = date.getUTCHours();
  const minutes = date.getUTCMinutes();
  const seconds = date.getUTCSeconds();
  if (hours === 0 && minutes === 0 && seconds === 0) return dayLabel;
  const clock = `${pad2(hours)}:${pad2(minutes)}`;
  return unit === 'second' ? `${clock}:${pad2(seconds)}` : clock;
}
