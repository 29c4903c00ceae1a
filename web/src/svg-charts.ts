import { escapeHtml, metricLabel } from './format';

/** Small static charts for model evaluation, as inline SVG strings (uPlot is for time series). */

const WIDTH = 260;
const HEIGHT = 220;
const PAD = { left: 40, right: 10, top: 10, bottom: 34 };

function frame(title: string, xLabel: string, yLabel: string, inner: string, ticks: [number, number]): string {
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const [lo, hi] = ticks;
  const tickValues = [0, 0.25, 0.5, 0.75, 1].map((t) => lo + t * (hi - lo));
  const fmt = (v: number) =>
    Math.abs(hi - lo) <= 1 ? v.toFixed(2).replace(/0+$/, '').replace(/\.$/, '') : v.toFixed(1);
  const xTicks = tickValues
    .map((v, i) => {
      const x = PAD.left + (i / 4) * w;
      return `<line x1="${x}" x2="${x}" y1="${PAD.top}" y2="${PAD.top + h}" stroke="#e4e7eb"/><text x="${x}" y="${PAD.top + h + 14}" text-anchor="middle">${fmt(v)}</text>`;
    })
    .join('');
  const yTicks = tickValues
    .map((v, i) => {
      const y = PAD.top + h - (i / 4) * h;
      return `<line x1="${PAD.left}" x2="${PAD.left + w}" y1="${y}" y2="${y}" stroke="#e4e7eb"/><text x="${PAD.left - 5}" y="${y + 4}" text-anchor="end">${fmt(v)}</text>`;
    })
    .join('');
  return `<svg class="mini-chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">
    <title>${escapeHtml(title)}</title>
    <g font-size="10" fill="#52606d">${xTicks}${yTicks}
    <text x="${PAD.left + w / 2}" y="${HEIGHT - 4}" text-anchor="middle">${escapeHtml(xLabel)}</text>
    <text transform="translate(11 ${PAD.top + h / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text></g>
    <rect x="${PAD.left}" y="${PAD.top}" width="${w}" height="${h}" fill="none" stroke="#cbd2d9"/>
    ${inner}</svg>`;
}

function scaler(lo: number, hi: number): { x: (v: number) => number; y: (v: number) => number } {
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const span = hi - lo || 1;
  return {
    x: (v) => PAD.left + ((v - lo) / span) * w,
    y: (v) => PAD.top + h - ((v - lo) / span) * h,
  };
}

/** A curve in the unit square (ROC, precision–recall), with an optional diagonal. */
export function curveSvg(
  title: string,
  xLabel: string,
  yLabel: string,
  xs: number[],
  ys: number[],
  diagonal: boolean,
): string {
  const s = scaler(0, 1);
  const path = xs.map((x, i) => `${i === 0 ? 'M' : 'L'}${s.x(x).toFixed(1)},${s.y(ys[i]).toFixed(1)}`).join('');
  const diag = diagonal
    ? `<line x1="${s.x(0)}" y1="${s.y(0)}" x2="${s.x(1)}" y2="${s.y(1)}" stroke="#9aa5b1" stroke-dasharray="4 4"/>`
    : '';
  return frame(
    title,
    xLabel,
    yLabel,
    `${diag}<path d="${path}" fill="none" stroke="#2f6f95" stroke-width="2"/>`,
    [0, 1],
  );
}

/** Predicted against true values with the identity line. */
export function scatterSvg(title: string, truth: number[], predicted: number[], unit: string): string {
  const hi = Math.max(...truth, ...predicted, 1e-9);
  const s = scaler(0, hi);
  const dots = truth
    .map(
      (t, i) =>
        `<circle cx="${s.x(t).toFixed(1)}" cy="${s.y(predicted[i]).toFixed(1)}" r="2" fill="#2f6f95" fill-opacity="0.45"/>`,
    )
    .join('');
  const identity = `<line x1="${s.x(0)}" y1="${s.y(0)}" x2="${s.x(hi)}" y2="${s.y(hi)}" stroke="#9aa5b1" stroke-dasharray="4 4"/>`;
  return frame(title, `true (${unit})`, `predicted (${unit})`, identity + dots, [0, hi]);
}

/** Horizontal bars, largest first (feature importance). */
export function barsHtml(values: Record<string, number>, label: string): string {
  const entries = Object.entries(values)
    .filter(([, v]) => Number.isFinite(v))
    .sort(([, a], [, b]) => Math.abs(b) - Math.abs(a))
    .slice(0, 10);
  if (entries.length === 0) return '<p class="muted">No importance recorded.</p>';
  const largest = Math.max(...entries.map(([, v]) => Math.abs(v)), 1e-12);
  return `<ul class="bars" aria-label="${escapeHtml(label)}">${entries
    .map(
      ([name, value]) => `<li><span class="bar-name">${escapeHtml(metricLabel(name))}</span>
        <span class="bar" aria-hidden="true"><span style="width:${Math.round((Math.abs(value) / largest) * 100)}%"></span></span>
        <span class="bar-value">${Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3)}</span></li>`,
    )
    .join('')}</ul>`;
}
