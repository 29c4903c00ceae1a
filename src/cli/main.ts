#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { VERSION } from '../core/version.js';
import { registerAlerts } from './commands/alerts.js';
import { registerDetect } from './commands/detect.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerEvaluateAnomalies } from './commands/evaluate-anomalies.js';
import { registerFailureModes } from './commands/failure-modes.js';
import { registerGateway } from './commands/gateway.js';
import { registerGenerate } from './commands/generate.js';
import { registerImport } from './commands/import.js';
import { registerJobs } from './commands/jobs.js';
import { registerKeys } from './commands/keys.js';
import { registerModels } from './commands/models.js';
import { registerPlot } from './commands/plot.js';
import { registerPredict } from './commands/predict.js';
import { registerReport } from './commands/report.js';
import { registerRetention } from './commands/retention.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { registerTrain } from './commands/train.js';
import { registerWorker } from './commands/worker.js';
import { EXIT_BAD_INPUT, reportError } from './run.js';

/** The `upkeep` program: one subcommand per file under commands/. */
function buildProgram(): Command {
  const program = new Command('upkeep')
    .description('Predictive maintenance for fleets of machines: telemetry in; anomalies, failure risk and RUL out')
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'upkeep: ')) });
  registerServe(program);
  registerImport(program);
  registerTrain(program);
  registerPredict(program);
  registerEvaluate(program);
  registerGenerate(program);
  registerPlot(program);
  registerDetect(program);
  registerEvaluateAnomalies(program);
  registerFailureModes(program);
  registerKeys(program);
  registerModels(program);
  registerAlerts(program);
  registerWorker(program);
  registerGateway(program);
  registerSimulate(program);
  registerRetention(program);
  registerReport(program);
  registerJobs(program);
  return program;
}

async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    // Help and --version end with exit code 0; usage errors (already printed by commander) with 2.
    if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    else process.exitCode = reportError(error);
  }
}

// A reader that stops early (`upkeep predict … | head`) closes the pipe: that ends the output, it is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

await main(process.argv);
