/**
 * The maintenance-cost report as one self-contained HTML page (`upkeep report cost --out report.html`): the numbers
 * in tables, the cost-versus-threshold curve and the confusion matrix at the chosen threshold as inline SVG.
 */
import type { ModelCostReport } from '../../models/maintenance-cost.js';
import { confusionMatrixChart, lineChart } from '../../plot/index.js';
import { escapeXml } from '../../plot/svg.js';

/** A cost as people read it: thousands separated, no more than 2 decimals. */
export function formatMoney(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function formatThreshold(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : 'never (∞)';
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/** The SVG of total cost against the alarm threshold, with the two baselines as reference lines. */
export function costCurveSvg(report: ModelCostReport): string {
  const finite = report.curve.filter((point) => Number.isFinite(point.threshold)).reverse();
  return lineChart([{ name: 'Model policy', x: finite.map((p) => p.threshold), y: finite.map((p) => p.totalCost) }], {
    title: 'Total cost against the alarm threshold',
    subtitle: `${report.rows} rows, ${report.failures} failures; out-of-fold scores (${report.scores.folds} folds)`,
    xAxis: { kind: 'linear', label: 'Alarm when score ≥ threshold' },
    yAxis: { label: 'Total cost' },
    referenceLines: [
      { value: report.runToFailure.totalCost, label: 'Run to failure' },
      { value: report.fixedInterval.totalCost, label: 'Fixed interval' },
    ],
  });
}

/** The SVG of the confusion matrix at the chosen threshold. */
export function confusionSvg(report: ModelCostReport): string {
  const c = report.confusion;
  return confusionMatrixChart(
    {
      labels: ['no failure', 'failure'],
      counts: [
        [c.trueNegatives, c.falsePositives],
        [c.falseNegatives, c.truePositives],
      ],
    },
    {
      title: `Confusion matrix at threshold ${formatThreshold(report.threshold)}`,
      trueLabel: 'Outcome',
      predictedLabel: 'Alarm',
      width: 520,
      height: 420,
    },
  );
}

function fixedIntervalText(report: ModelCostReport): string {
  const baseline = report.fixedInterval;
  if (baseline.policy === 'age') {
    return `service when '${baseline.column}' ≥ ${formatThreshold(baseline.interval ?? Number.POSITIVE_INFINITY)} (best interval on this history)`;
  }
  return baseline.servicedShare === 1
    ? 'sensor-blind schedule: servicing every row is cheaper than none'
    : 'sensor-blind schedule: no servicing is cheapest (equals run to failure)';
}

/** The whole page. `title` names the model and data. */
export function costReportHtml(report: ModelCostReport, title: string): string {
  const c = report.confusion;
  const rows = [
    ['Model policy', report.totalCost, report.costPerRow, `alarm when score ≥ ${formatThreshold(report.threshold)}`],
    ['Run to failure', report.runToFailure.totalCost, report.runToFailure.costPerRow, 'never alarm'],
    [
      'Fixed interval',
      report.fixedInterval.totalCost,
      report.fixedInterval.totalCost / Math.max(1, report.rows),
      fixedIntervalText(report),
    ],
  ] as const;
  const policyRows = rows
    .map(
      ([name, total, perRow, note]) =>
        `<tr><th scope="row">${name}</th><td>${formatMoney(total)}</td><td>${formatMoney(perRow)}</td><td>${escapeXml(note)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Maintenance cost — ${escapeXml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1f2328; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.7rem; text-align: right; }
th[scope="row"], td:last-child { text-align: left; }
.savings { font-size: 1.2rem; }
figure { margin: 1.5rem 0; }
</style>
</head>
<body>
<h1>Maintenance cost</h1>
<p>${escapeXml(title)} — ${report.rows} rows of '${escapeXml(report.target)}', ${report.failures} failures.
Costs: unplanned failure ${formatMoney(report.costs.failureCost)}, planned repair ${formatMoney(report.costs.repairCost)},
false alarm ${formatMoney(report.costs.falseAlarmCost)}.</p>
<p class="savings">Savings: <strong>${formatMoney(report.savings.vsRunToFailure)}</strong> (${percent(report.savings.vsRunToFailureShare)}) against run to failure,
<strong>${formatMoney(report.savings.vsFixedInterval)}</strong> (${percent(report.savings.vsFixedIntervalShare)}) against fixed-interval maintenance.</p>
<table>
<thead><tr><th>Policy</th><th>Total cost</th><th>Cost per row</th><th>Rule</th></tr></thead>
<tbody>
${policyRows}
</tbody>
</table>
<table>
<thead><tr><th></th><th>no alarm</th><th>alarm</th></tr></thead>
<tbody>
<tr><th scope="row">no failure</th><td>${c.trueNegatives}</td><td>${c.falsePositives} false alarms</td></tr>
<tr><th scope="row">failure</th><td>${c.falseNegatives} unplanned failures</td><td>${c.truePositives} planned repairs</td></tr>
</tbody>
</table>
<figure>${costCurveSvg(report)}</figure>
<figure>${confusionSvg(report)}</figure>
<p>Scores are out of fold (${report.scores.folds} folds): each row is scored by a copy of the model fitted without it.
An alarm on a row that fails costs a planned repair, on a row that does not fail a false alarm; a failure without an
alarm costs an unplanned failure. Run to failure never alarms. Fixed-interval maintenance services a machine when its
age or usage reaches the interval, blind to the sensors (without an age column: every row or none).</p>
</body>
</html>
`;
}
