// Every streaming detector over the Numenta Anomaly Benchmark subset in ../shared/datasets/nab (12 labelled
// series, 10 anomaly windows), scored the way NAB scores: one threshold per detector and profile over the whole
// corpus, normalised so the null detector is 0 and the perfect one 100. Prints one JSON line per detector with the
// three profile scores and the detector's time per point. Run `npm run build` first: this imports from dist/.
//
//   npm run build && node bench/nab.mjs [--data-dir DIR] [--labels FILE] [--detectors default,ewma,…]
//
// For scale: NAB's published scoreboard (standard profile, full 58-file corpus) has ARTime 74.9, Numenta HTM 70.1,
// contextOSE 69.9, windowed Gaussian 39.6. This subset is 12 of those files, so the figures are not the same test.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateDetectorOnNab } from '../dist/evaluate/nab.js';
import { detectorNames } from '../dist/models/anomaly/factory.js';

const NAB_ROOT = new URL('../../shared/datasets/nab', import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: NAB_ROOT },
    labels: { type: 'string', default: join(NAB_ROOT, 'labels', 'combined_windows.json') },
    detectors: { type: 'string', default: detectorNames().join(',') },
  },
});

if (!existsSync(args.labels)) {
  console.log(JSON.stringify({ bench: 'nab', skipped: `labels file ${args.labels} is absent` }));
  process.exit(0);
}

const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

for (const detector of args.detectors.split(',')) {
  const run = await evaluateDetectorOnNab({ dataDir: args['data-dir'], labels: args.labels, detector });
  const { standard, reward_low_FP_rate: lowFp, reward_low_FN_rate: lowFn } = run.profiles;
  console.log(
    JSON.stringify({
      bench: 'nab',
      detector,
      files: run.files,
      rows: run.rows,
      standard: round(standard.normalised),
      reward_low_FP_rate: round(lowFp.normalised),
      reward_low_FN_rate: round(lowFn.normalised),
      windows_detected: `${standard.windowsDetected}/${standard.windows}`,
      false_positive_rows: standard.counts.fp,
      us_per_point: round(run.microsecondsPerPoint, 2),
    }),
  );
}
