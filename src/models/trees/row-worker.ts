/**
 * The worker thread of the row passes (row-kernels.ts): the control words it shares with the calling thread, how
 * long each polls before sleeping, and the worker's program, built from the source text of the self-contained
 * passes of row-passes.ts and the objective's gradient function.
 */

import { buildHistogram } from './histogram.js';
import type { GradientRange } from './objectives.js';
import { addTreeRange, addTreeRangeWasm, isSparseRange, markSegments, partitionRows } from './row-passes.js';

// Control words shared with the worker.
export const REQUEST = 0;
export const DONE = 1;
export const COMMAND = 2;
export const BEGIN = 3;
export const END = 4;
export const OUTPUT = 5;
export const FEATURE_COUNT = 6;
export const FEATURE = 7;
export const SPLIT_BIN = 8;
export const DEFAULT_LEFT = 9;
export const RESULT = 10;
export const READY = 11;
/**
 * How long a thread polls the shared control word before it sleeps on it, in ms. The threads hand work to each
 * other ~40 times a tree, usually well under a millisecond apart, and waking a sleeping thread (`Atomics.notify` on
 * a waiter) cost 0.7 ms on average on a 2-core VM — 2.9 s of a 1M-row fit's calling thread. So a thread polls
 * first and sleeps only then, saying so in its `SLEEPING_*` word; it is notified only when asleep. When other
 * processes hold the cores, the other thread is often descheduled and polling only burns the time it needs: so
 * each poll that ends in sleep shrinks the thread's budget by `SPIN_SHRINK` (down to `SPIN_MIN_MS`) and each that
 * succeeds doubles it (up to `SPIN_MAX_MS`). Shrinking by half was too eager: a 1M-row fit has ~4,800 hand-offs,
 * all but ~40 under 0.5 ms apart, and the few long gaps (binning, a run of small nodes) halved the budget below the
 * common ones, so the worker slept through 200–460 hand-offs and the caller waited on each wake-up; shrinking by a
 * quarter keeps it polling through all but ~30, while ~16 sleeps in a row still bring a crowded machine's budget
 * down to the minimum.
 */
export const SPIN_MAX_MS = 2;
export const SPIN_MIN_MS = 0.02;
export const SPIN_SHRINK = 0.75;
export const SLEEPING_WORKER = 13;
export const SLEEPING_CALLER = 14;
export const COMMAND_HISTOGRAM = 1;
export const COMMAND_PARTITION = 2;
export const COMMAND_EXIT = 3;
export const COMMAND_GRADIENTS = 4;
export const COMMAND_TREE = 5;
export const COMMAND_MARK = 6;
export const COMMAND_STEP = 7;
export const SEGMENT_COUNT = 12;
/** A split pass's hand-offs halfway (see `Kernels.partition`): the caller's left count and both sides' progress. */
export const FIRST_LEFT = 15;
export const CALLER_PHASE = 16;
export const WORKER_PHASE = 17;
export const NODE_BEGIN = 18;
export const CONTROL_WORDS = 32;

/** The worker's program: it runs the passes of row-passes.ts (and the objective's gradients) on request. */
export function workerSource(gradientRange: GradientRange | null): string {
  return `
const { workerData } = require('node:worker_threads');
const buildHistogram = (${buildHistogram.toString()});
const partitionRows = (${partitionRows.toString()});
const addTreeRange = (${addTreeRange.toString()});
const addTreeRangeWasm = (${addTreeRangeWasm.toString()});
const isSparseRange = (${isSparseRange.toString()});
const markSegments = (${markSegments.toString()});
const gradientRange = (${gradientRange ? gradientRange.toString() : 'null'});
const { control, bins, columns, rows, cols, shift, rowIndex, scratch, gradients, histogram, features, wasm } = workerData;
const { margins, outputs, labels, weights, segments } = workerData;
const exported = wasm ? new WebAssembly.Instance(wasm.module, { env: { memory: wasm.memory } }).exports : null;
const kernel = exported ? exported.histogram : null;
const sparseKernel = exported ? exported.sparseHistogram : null;
const partitionKernel = exported ? exported.partitionBackward : null;
let seen = 0;
let spinBudget = ${SPIN_MAX_MS};
/** Polls, then sleeps, until control[index] holds value. */
function waitUntil(index, value) {
  const spinUntil = performance.now() + spinBudget;
  while (Atomics.load(control, index) !== value && performance.now() < spinUntil);
  if (Atomics.load(control, index) === value) return;
  Atomics.store(control, ${SLEEPING_WORKER}, 1);
  for (let now = Atomics.load(control, index); now !== value; now = Atomics.load(control, index)) {
    Atomics.wait(control, index, now);
  }
  Atomics.store(control, ${SLEEPING_WORKER}, 0);
}
Atomics.store(control, ${READY}, 1);
Atomics.notify(control, ${READY});
for (;;) {
  const spinUntil = performance.now() + spinBudget;
  while (Atomics.load(control, ${REQUEST}) === seen && performance.now() < spinUntil);
  if (Atomics.load(control, ${REQUEST}) === seen) {
    spinBudget = Math.max(${SPIN_MIN_MS}, spinBudget * ${SPIN_SHRINK});
    Atomics.store(control, ${SLEEPING_WORKER}, 1);
    Atomics.wait(control, ${REQUEST}, seen);
    Atomics.store(control, ${SLEEPING_WORKER}, 0);
  } else spinBudget = Math.min(${SPIN_MAX_MS}, spinBudget * 2);
  seen = Atomics.load(control, ${REQUEST});
  const command = control[${COMMAND}];
  if (command === ${COMMAND_EXIT}) break;
  if (command === ${COMMAND_HISTOGRAM}) {
    histogram.fill(0);
    const count = control[${FEATURE_COUNT}];
    if (kernel && count < 0) {
      (isSparseRange(rowIndex, control[${BEGIN}], control[${END}]) ? sparseKernel : kernel)(wasm.bins, wasm.rowIndex, control[${BEGIN}], control[${END}], wasm.gradients[control[${OUTPUT}]],
        wasm.secondHalf);
    } else buildHistogram(bins, cols, shift, rowIndex, control[${BEGIN}], control[${END}], gradients[control[${OUTPUT}]],
      histogram, count < 0 ? null : features.subarray(0, count));
  } else if (command === ${COMMAND_PARTITION}) {
    // The second half from its end: its right side lands in its final place (see Kernels.partition).
    const end = control[${END}];
    const secondLeft = partitionKernel
      ? partitionKernel(wasm.columns + control[${FEATURE}] * rows, wasm.rowIndex, wasm.scratch, control[${BEGIN}],
          end, control[${SPLIT_BIN}], control[${DEFAULT_LEFT}])
      : partitionRows(columns, rows, rowIndex, scratch, control[${BEGIN}], end, control[${FEATURE}],
          control[${SPLIT_BIN}], control[${DEFAULT_LEFT}] === 1, true);
    control[${RESULT}] = secondLeft;
    Atomics.store(control, ${WORKER_PHASE}, seen);
    if (Atomics.load(control, ${SLEEPING_CALLER}) === 1) Atomics.notify(control, ${WORKER_PHASE});
    // Its left side follows the caller's, once the caller has partitioned its half.
    waitUntil(${CALLER_PHASE}, seen);
    rowIndex.set(scratch.subarray(end - secondLeft, end), control[${NODE_BEGIN}] + control[${FIRST_LEFT}]);
  } else if (command === ${COMMAND_GRADIENTS} && wasm && wasm.gradientKernel) {
    exported[wasm.gradientKernel](wasm.margins, wasm.labels, wasm.weights, wasm.gradients[0], control[${BEGIN}],
      control[${END}], wasm.tables);
  } else if (command === ${COMMAND_GRADIENTS}) {
    gradientRange(margins, labels, weights, gradients, control[${BEGIN}], control[${END}]);
  } else if (command === ${COMMAND_MARK}) {
    markSegments(segments, control[${SEGMENT_COUNT}], control[${BEGIN}], control[${END}], exported.markNodes,
      wasm.rowIndex, wasm.nodeOf);
  } else if (command === ${COMMAND_STEP}) {
    exported.treeStep(wasm.bins, cols, control[${BEGIN}], control[${END}], wasm.margins + 8 * control[${OUTPUT}],
      8 * outputs, wasm.nodes, wasm.values, wasm.nodeOf);
  } else if (command === ${COMMAND_TREE} && exported) {
    addTreeRangeWasm(segments, control[${SEGMENT_COUNT}], control[${BEGIN}], control[${END}], exported,
      { rowIndex: wasm.rowIndex, columns: wasm.columns, margins: wasm.margins, touched: wasm.touched + 16 }, rows,
      outputs, control[${OUTPUT}]);
  } else if (command === ${COMMAND_TREE}) {
    addTreeRange(segments, control[${SEGMENT_COUNT}], control[${BEGIN}], control[${END}], rowIndex, columns, rows,
      margins, outputs, control[${OUTPUT}]);
  }
  Atomics.store(control, ${DONE}, seen);
  if (Atomics.load(control, ${SLEEPING_CALLER}) === 1) Atomics.notify(control, ${DONE});
}
`;
}
