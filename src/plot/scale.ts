/**
 * Scales (data value → pixel) and tick values: linear ticks on 1-2-5 steps, and UTC time ticks on calendar steps
 * (seconds … years) so that time axes read 06:00, 12:00, Jan 02 rather than arbitrary instants.
 */

import { formatTicks, formatTimeTick, type TimeUnit } from './format.js';

/** A linear map from a data interval onto a pixel interval (the pixel interval may be reversed, as y axes are). */
export interface Scale {
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  map(value: number): number;
}

/** Linear scale; a zero-width domain maps everything to the middle of the range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  const factor = span === 0 ? 0 : (r1 - r0) / span;
  const middle = (r0 + r1) / 2;
  return {
    domain: [d0, d1],
    range: [r0, r1],
    map: span === 0 ? () => middle : (value: number) => r0 + (value - d0) * factor,
  };
}

/** Tick positions with their labels. */
export interface Ticks {
  values: number[];
  labels: string[];
}

/**
 * The 1-2-5 × 10^k step that puts about `targetCount` intervals on `span` (the thresholds are the geometric means
 * √2, √10, √50 between the steps, as in d3-array `tickIncrement`: https://github.com/d3/d3-array/blob/main/src/ticks.js).
 */
export function niceStep(span: number, targetCount: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, targetCount);
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  return factor * power;
}

/**
 * Multiples of `step` inside [min, max]. Values are computed as integer × step (or integer ÷ (1/step) for steps
 * below 1) so that 0.1 + 0.2 style rounding never leaks into the labels. O(number of ticks).
 */
export function multiplesIn(min: number, max: number, step: number): number[] {
  const values: number[] = [];
  if (step >= 1) {
    const start = Math.ceil(min / step - 1e-9);
    const stop = Math.floor(max / step + 1e-9);
    for (let i = start; i <= stop; i++) values.push(i * step + 0); // + 0 turns −0 into 0
  } else {
    const inverse = Math.round(1 / step);
    const start = Math.ceil(min * inverse - 1e-9);
    const stop = Math.floor(max * inverse + 1e-9);
    for (let i = start; i <= stop; i++) values.push(i / inverse + 0);
  }
  return values;
}

/** About `targetCount` ticks on 1-2-5 steps inside [min, max], labelled. O(number of ticks). */
export function linearTicks(min: number, max: number, targetCount = 5): Ticks {
  const step = niceStep(max - min, targetCount);
  const values = max > min ? multiplesIn(min, max, step) : [min];
  return { values, labels: formatTicks(values) };
}

/**
 * A domain containing [min, max], widened outwards to whole ticks, with its ticks. A zero-width range is widened
 * around its value first, so a constant series still gets a readable axis.
 */
export function niceDomain(min: number, max: number, targetCount = 5): { domain: [number, number]; ticks: Ticks } {
  let low = min;
  let high = max;
  if (high === low) {
    const half = low === 0 ? 1 : Math.abs(low) * 0.1;
    low -= half;
    high += half;
  }
  let step = niceStep(high - low, targetCount);
  // Widening can change the best step; two rounds settle it.
  for (let round = 0; round < 2; round++) {
    const widenedLow = Math.floor(low / step + 1e-9) * step;
    const widenedHigh = Math.ceil(high / step - 1e-9) * step;
    const next = niceStep(widenedHigh - widenedLow, targetCount);
    if (next === step) break;
    step = next;
  }
  const values = multiplesIn(Math.floor(low / step + 1e-9) * step, Math.ceil(high / step - 1e-9) * step, step);
  return { domain: [values[0], values[values.length - 1]], ticks: { values, labels: formatTicks(values) } };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Calendar steps a time axis may use, finest first. Weeks start on Monday; months and years on their first day. */
interface TimeStep {
  unit: TimeUnit;
  /** Nominal length in ms, for choosing the step. */
  length: number;
  /** For fixed-length steps: the step in ms; for months: the number of months. */
  count: number;
  /** Offset of the alignment from the epoch (1970-01-05 was a Monday: 4 days after the epoch). */
  offset?: number;
}

const TIME_STEPS: readonly TimeStep[] = [
  { unit: 'second', length: SECOND, count: SECOND },
  { unit: 'second', length: 5 * SECOND, count: 5 * SECOND },
  { unit: 'second', length: 15 * SECOND, count: 15 * SECOND },
  { unit: 'second', length: 30 * SECOND, count: 30 * SECOND },
  { unit: 'minute', length: MINUTE, count: MINUTE },
  { unit: 'minute', length: 5 * MINUTE, count: 5 * MINUTE },
  { unit: 'minute', length: 15 * MINUTE, count: 15 * MINUTE },
  { unit: 'minute', length: 30 * MINUTE, count: 30 * MINUTE },
  { unit: 'hour', length: HOUR, count: HOUR },
  { unit: 'hour', length: 3 * HOUR, count: 3 * HOUR },
  { unit: 'hour', length: 6 * HOUR, count: 6 * HOUR },
  { unit: 'hour', length: 12 * HOUR, count: 12 * HOUR },
  { unit: 'day', length: DAY, count: DAY },
  { unit: 'day', length: 2 * DAY, count: 2 * DAY },
  { unit: 'day', length: 7 * DAY, count: 7 * DAY, offset: 4 * DAY },
  { unit: 'month', length: 30 * DAY, count: 1 },
  { unit: 'month', length: 91 * DAY, count: 3 },
  { unit: 'month', length: 182 * DAY, count: 6 },
];

function fixedStepTicks(min: number, max: number, step: number, offset: number): number[] {
  const values: number[] = [];
  for (let t = Math.ceil((min - offset) / step) * step + offset; t <= max; t += step) values.push(t);
  return values;
}

function monthTicks(min: number, max: number, months: number): number[] {
  const start = new Date(min);
  let year = start.getUTCFullYear();
  let month = Math.floor(start.getUTCMonth() / months) * months;
  const values: number[] = [];
  for (;;) {
    const t = Date.UTC(year, month, 1);
    if (t > max) break;
    if (t >= min) values.push(t);
    month += months;
    if (month >= 12) {
      year += Math.floor(month / 12);
      month %= 12;
    }
  }
  return values;
}

function yearTicks(min: number, max: number, targetCount: number): number[] {
  const firstYear = new Date(min).getUTCFullYear();
  const lastYear = new Date(max).getUTCFullYear() + 1;
  const step = Math.max(1, niceStep(lastYear - firstYear, targetCount));
  const values: number[] = [];
  for (let year = Math.ceil(firstYear / step) * step; year <= lastYear; year += step) {
    const t = Date.UTC(year, 0, 1);
    if (t >= min && t <= max) values.push(t);
  }
  return values;
}

/**
 * About `targetCount` UTC ticks in [min, max] (epoch ms) on the calendar step nearest (by ratio) to span ÷ count,
 * as d3-time's `ticks` chooses it (https://github.com/d3/d3-time/blob/main/src/ticks.js); beyond half-years, whole
 * years on 1-2-5 steps. Labels name what changes at each tick (see `formatTimeTick`). O(number of ticks).
 */
export function timeTicks(min: number, max: number, targetCount = 6): Ticks & { unit: TimeUnit } {
  const target = (max - min) / Math.max(1, targetCount);
  let chosen: TimeStep | undefined;
  for (let i = 0; i < TIME_STEPS.length; i++) {
    if (TIME_STEPS[i].length < target) continue;
    const previous = TIME_STEPS[i - 1];
    chosen = previous && target / previous.length < TIME_STEPS[i].length / target ? previous : TIME_STEPS[i];
    break;
  }
  const last = TIME_STEPS[TIME_STEPS.length - 1];
  if (!chosen && target < Math.sqrt(last.length * 365.25 * DAY)) chosen = last;
  if (!chosen) {
    const values = yearTicks(min, max, targetCount);
    return { values, labels: values.map((t) => formatTimeTick(t, 'year')), unit: 'year' };
  }
  const values =
    chosen.unit === 'month'
      ? monthTicks(min, max, chosen.count)
      : fixedStepTicks(min, max, chosen.count, chosen.offset ?? 0);
  if (values.length === 0) return { values: [min], labels: [formatTimeTick(min, 'second')], unit: 'second' };
  return { values, labels: values.map((t) => formatTimeTick(t, chosen.unit)), unit: chosen.unit };
}
