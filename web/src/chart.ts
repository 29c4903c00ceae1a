import uPlot from 'uplot';
import { formatTime, formatValue } from './format';

/**
 * Per pixel column the first, lowest, highest and last point of xs[start, end) (the M4 aggregation): a line through
 * them draws the same pixels as the line through every point, so spikes survive. Writes into the output arrays and
 * returns how many points it kept. O(end − start).
 */
export function decimate(
  xs: Float64Array,
  ys: Float64Array,
  start: number,
  end: number,
  xMin: number,
  xMax: number,
  columns: number,
  outX: Float64Array,
  outY: Float64Array,
): number {
  const count = end - start;
  if (count <= columns * 4) {
    outX.set(xs.subarray(start, end));
    outY.set(ys.subarray(start, end));
    return count;
  }
  const perUnit = xMax > xMin ? columns / (xMax - xMin) : 0;
  let kept = 0;
  let column = -1;
  let first = 0;
  let low = 0;
  let high = 0;
  let last = 0;
  const flush = () => {
    // Emitted in time order; duplicates skipped.
    const a = Math.min(low, high);
    const b = Math.max(low, high);
    for (const index of [first, a, b, last]) {
      if (kept > 0 && outX[kept - 1] === xs[index] && outY[kept - 1] === ys[index]) continue;
      outX[kept] = xs[index];
      outY[kept] = ys[index];
      kept++;
    }
  };
  for (let i = start; i < end; i++) {
    let c = Math.floor((xs[i] - xMin) * perUnit);
    if (c < 0) c = 0;
    else if (c >= columns) c = columns - 1;
    if (c !== column) {
      if (column >= 0) flush();
      column = c;
      first = low = high = last = i;
      continue;
    }
    const y = ys[i];
    if (y < ys[low]) low = i;
    if (y > ys[high]) high = i;
    last = i;
  }
  if (column >= 0) flush();
  return kept;
}

/** First index with xs[i] >= x (xs ascending). */
function lowerBound(xs: Float64Array, length: number, x: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface SeriesChartOptions {
  label: string;
  height: number;
  stroke: string;
  syncKey?: string;
  /** Periods to shade (seconds), e.g. when an alert was active. */
  shaded?: () => [number, number][];
  /** Points to mark (seconds, value), e.g. anomalies. */
  marks?: boolean;
  /** Formats a y value for the legend and the axis. */
  format?: (value: number) => string;
  /** Called after the user zoomed (drag) or reset (double-click): the visible x range in seconds. */
  onZoom?: (min: number, max: number, reset: boolean) => void;
}

const MODIFIED_Z = 3.5;

/** Indices of points whose modified z-score (0.6745 · |x − median| / MAD) exceeds 3.5 (as POST /analyse rates them). */
export function anomalousIndices(ys: Float64Array, length: number): number[] {
  if (length < 8) return [];
  const sorted = Float64Array.from(ys.subarray(0, length)).sort();
  const median = sorted[length >> 1];
  const deviations = new Float64Array(length);
  for (let i = 0; i < length; i++) deviations[i] = Math.abs(ys[i] - median);
  deviations.sort();
  const mad = deviations[length >> 1];
  if (!(mad > 0)) return [];
  const marked: number[] = [];
  for (let i = 0; i < length; i++) if ((0.6745 * Math.abs(ys[i] - median)) / mad > MODIFIED_Z) marked.push(i);
  return marked;
}

/**
 * A uPlot line chart over a long series that stays fast: it keeps every point in typed arrays and hands uPlot only
 * what the visible range needs at the chart's width (M4, a few points per pixel column), recomputed on every zoom
 * and pan. Anomalies (modified z-score > 3.5 over the loaded range) are marked, shaded periods drawn behind.
 */
export class SeriesChart {
  readonly plot: uPlot;
  private xs = new Float64Array(1024);
  private ys = new Float64Array(1024);
  private length = 0;
  private viewX = new Float64Array(0);
  private viewY = new Float64Array(0);
  private marks: (number | null)[] = [];
  private adjusting = false;
  private markSet = new Set<number>();

  constructor(
    holder: HTMLElement,
    private readonly options: SeriesChartOptions,
  ) {
    const format = options.format ?? ((value: number) => formatValue(value));
    const shadePlugin: uPlot.Plugin = {
      hooks: {
        drawClear: (u) => {
          const periods = options.shaded?.() ?? [];
          if (periods.length === 0) return;
          const { ctx } = u;
          ctx.save();
          ctx.fillStyle = 'rgba(196, 35, 35, 0.12)';
          for (const [from, to] of periods) {
            const left = u.valToPos(from, 'x', true);
            const right = u.valToPos(to, 'x', true);
            const x0 = Math.max(u.bbox.left, left);
            const x1 = Math.min(u.bbox.left + u.bbox.width, right);
            if (x1 > x0) ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
          }
          ctx.restore();
        },
      },
    };
    this.plot = new uPlot(
      {
        width: Math.max(200, holder.clientWidth),
        height: options.height,
        plugins: [shadePlugin],
        legend: { show: true, live: true },
        cursor: {
          ...(options.syncKey ? { sync: { key: options.syncKey } } : {}),
          drag: { x: true, y: false },
        },
        scales: { x: { time: true } },
        axes: [
          { stroke: '#52606d', grid: { stroke: '#e4e7eb', width: 1 }, ticks: { stroke: '#cbd2d9' } },
          {
            stroke: '#52606d',
            grid: { stroke: '#e4e7eb', width: 1 },
            ticks: { stroke: '#cbd2d9' },
            size: 60,
            values: (_u, splits) => splits.map((v) => format(v)),
          },
        ],
        series: [
          { value: (_u, v) => (v == null ? '—' : formatTime(v * 1000)) },
          {
            label: options.label,
            stroke: options.stroke,
            width: 1.25,
            points: { show: false },
            value: (_u, v) => (v == null ? '—' : format(v)),
          },
          {
            label: 'Anomaly',
            stroke: '#c42323',
            fill: '#c42323',
            width: 0,
            paths: () => null,
            points: { show: true, size: 6, stroke: '#c42323', fill: '#ffffff', width: 1.5 },
            value: (_u, v) => (v == null ? '—' : format(v)),
            show: options.marks ?? true,
          },
        ],
        hooks: {
          setScale: [
            (u, key) => {
              if (key !== 'x' || this.adjusting) return;
              const { min, max } = u.scales.x;
              if (min == null || max == null) return;
              this.view(min, max);
            },
          ],
          setSelect: [
            (u) => {
              if (u.select.width <= 0) return;
              const min = u.posToVal(u.select.left, 'x');
              const max = u.posToVal(u.select.left + u.select.width, 'x');
              queueMicrotask(() => options.onZoom?.(min, max, false));
            },
          ],
        },
      },
      [[], [], []],
      holder,
    );
    // Keyboard: ← → pan, + − zoom, 0 shows everything (the holder is focusable).
    holder.tabIndex = 0;
    holder.addEventListener('keydown', (event) => {
      const { min, max } = this.plot.scales.x;
      if (min == null || max == null || this.length === 0) return;
      const span = max - min;
      const centre = (min + max) / 2;
      let next: [number, number] | undefined;
      if (event.key === 'ArrowLeft') next = [min - span / 5, max - span / 5];
      else if (event.key === 'ArrowRight') next = [min + span / 5, max + span / 5];
      else if (event.key === '+' || event.key === '=') next = [centre - span / 4, centre + span / 4];
      else if (event.key === '-') next = [centre - span, centre + span];
      else if (event.key === '0') next = [this.xs[0], this.xs[this.length - 1]];
      if (!next) return;
      event.preventDefault();
      this.view(next[0], next[1]);
      options.onZoom?.(next[0], next[1], event.key === '0');
    });
    this.plot.over.addEventListener('dblclick', () => {
      if (this.length > 0) {
        this.view(this.xs[0], this.xs[this.length - 1]);
        options.onZoom?.(this.xs[0], this.xs[this.length - 1], true);
      }
    });
  }

  /** Points held (all of them, not only those drawn). */
  get size(): number {
    return this.length;
  }

  /** The x range of the held points (seconds), or undefined when empty. */
  get extent(): [number, number] | undefined {
    return this.length === 0 ? undefined : [this.xs[0], this.xs[this.length - 1]];
  }

  /** Replaces every point (x in seconds, ascending) and shows all of them. */
  setData(xs: Float64Array, ys: Float64Array): void {
    this.xs = xs.slice();
    this.ys = ys.slice();
    this.length = xs.length;
    this.markSet = new Set(anomalousIndices(this.ys, this.length).map((i) => this.xs[i]));
    if (this.length > 0) this.view(this.xs[0], this.xs[this.length - 1]);
    else this.plot.setData([[], [], []]);
  }

  /** Appends a newer point; the view follows it when it showed the previous last point. */
  append(x: number, y: number): void {
    if (this.length > 0 && x <= this.xs[this.length - 1]) return;
    if (this.length === this.xs.length) {
      const grow = (old: Float64Array) => {
        const next = new Float64Array(Math.max(1024, old.length * 2));
        next.set(old);
        return next;
      };
      this.xs = grow(this.xs);
      this.ys = grow(this.ys);
    }
    const previousLast = this.length > 0 ? this.xs[this.length - 1] : x;
    this.xs[this.length] = x;
    this.ys[this.length] = y;
    this.length++;
    const { min, max } = this.plot.scales.x;
    if (min == null || max == null || max >= previousLast - 1e-6) {
      const span = min != null && max != null ? max - min : 0;
      this.view(span > 0 ? Math.max(this.xs[0], x - span) : this.xs[0], x);
    }
  }

  /** Drops points before x (seconds). */
  trimBefore(x: number): void {
    const start = lowerBound(this.xs, this.length, x);
    if (start === 0 || start >= this.length) return;
    this.xs.copyWithin(0, start, this.length);
    this.ys.copyWithin(0, start, this.length);
    this.length -= start;
  }

  /** Shows [min, max] (seconds): decimates the held points for the chart's width and rescales y to them. */
  view(min: number, max: number): void {
    const columns = Math.max(50, Math.round(this.plot.bbox.width / (devicePixelRatio || 1)) || this.plot.width);
    const start = Math.max(0, lowerBound(this.xs, this.length, min) - 1);
    const end = Math.min(this.length, lowerBound(this.xs, this.length, max) + 1);
    const capacity = Math.min(end - start, columns * 4 + 4);
    if (this.viewX.length < capacity) {
      this.viewX = new Float64Array(capacity * 2);
      this.viewY = new Float64Array(capacity * 2);
    }
    const kept = decimate(this.xs, this.ys, start, end, min, max, columns, this.viewX, this.viewY);
    const xs = this.viewX.subarray(0, kept);
    const ys = this.viewY.subarray(0, kept);
    this.marks.length = kept;
    for (let i = 0; i < kept; i++) this.marks[i] = this.markSet.has(xs[i]) ? ys[i] : null;
    this.adjusting = true;
    try {
      this.plot.batch(() => {
        this.plot.setData([xs as unknown as number[], ys as unknown as number[], this.marks], false);
        this.plot.setScale('x', { min, max });
      });
    } finally {
      this.adjusting = false;
    }
  }

  /** Points uPlot draws now (after decimation). */
  get drawn(): number {
    return this.plot.data[0]?.length ?? 0;
  }

  resize(width: number): void {
    if (width > 0 && Math.abs(width - this.plot.width) > 1) {
      this.plot.setSize({ width, height: this.options.height });
      const { min, max } = this.plot.scales.x;
      if (min != null && max != null) this.view(min, max);
    }
  }

  destroy(): void {
    this.plot.destroy();
  }
}
