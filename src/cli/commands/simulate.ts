import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseDuration } from '../../core/api-keys.js';
import { ValidationError } from '../../core/errors.js';
import { formatTimestamp, parseTimestamp } from '../../core/time.js';
import { type FailureEvent, FleetSimulator } from '../../io/fleet-simulator.js';
import { runSimulation } from '../../stream/simulation-run.js';
import { DEFAULT_SIMULATE_TOPIC, openSink } from '../../stream/telemetry-sinks.js';
import { action, formatCount, integerOption, printLine } from '../run.js';

interface SimulateCliOptions {
  assets: number;
  rate: string;
  to: string;
  seed: number;
  duration?: string;
  failures?: string;
  start?: string;
  speed: string;
  batch: number;
  topic: string;
  apiKey?: string;
  stream?: string;
  subjectPrefix?: string;
  suddenFaults: string;
  glitches: string;
}

function positiveNumber(field: string, value: string, max = Number.POSITIVE_INFINITY): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || number > max) {
    throw new ValidationError(
      `'${field}' must be a positive number${max < Infinity ? ` up to ${max}` : ''}, got "${value}"`,
      [{ path: field, message: 'positive number' }],
    );
  }
  return number;
}

/** The ground truth as CSV: one failure per line, time ascending. */
export function failuresCsv(events: readonly FailureEvent[]): string {
  const lines = ['asset,kind,ts,cause,mode'];
  for (const event of events) {
    lines.push(`${event.asset},${event.kind},${formatTimestamp(event.ts)},${event.cause},${event.mode}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('stream a simulated fleet (pumps, motors, compressors) to a server, an MQTT broker or JetStream')
    .requiredOption('--assets <n>', 'machines in the fleet', integerOption('--assets', 1, 1_000_000))
    .requiredOption(
      '--rate <readings/s>',
      'readings per second for the whole fleet (one reading: all metrics of a machine)',
    )
    .requiredOption('--to <url>', 'http://host:port (POST /v1/readings), mqtt://host:port or nats://host:port')
    .option(
      '--seed <n>',
      'seed: the same seed, start and duration send the same readings',
      integerOption('--seed', 0),
      1,
    )
    .option('--duration <d>', 'how long to send (wall clock), e.g. 30s, 10m; until Ctrl-C when omitted')
    .option('--failures <file>', 'write the ground-truth failures of the simulated period (CSV) to this file')
    .option('--start <time>', 'simulated time of the first reading (ISO 8601); now when omitted')
    .option('--speed <x>', 'simulated seconds per wall-clock second (e.g. 3600: an hour of history per second)', '1')
    .option('--batch <n>', 'readings per request / message', integerOption('--batch', 1, 100_000))
    .option(
      '--topic <topic>',
      'MQTT topic; {asset} is the asset id (fleet for a message of several)',
      DEFAULT_SIMULATE_TOPIC,
    )
    .option('--api-key <key>', 'HTTP: API key (default: $UPKEEP_API_KEY)')
    .option('--stream <name>', 'NATS: JetStream stream name')
    .option('--subject-prefix <prefix>', 'NATS: subjects are <prefix>.<asset>')
    .option('--sudden-faults <per-day>', 'sudden faults per machine per day', '0.5')
    .option('--glitches <share>', 'share of values that are sensor glitches (dropout to 0 or a tenfold blip)', '0.0005')
    .action(
      action(async (options: SimulateCliOptions) => {
        const rate = positiveNumber('rate', options.rate);
        const speed = positiveNumber('speed', options.speed, 1_000_000);
        const wallMsPerTick = (options.assets * 1000) / rate;
        const intervalMs = Math.round(wallMsPerTick * speed);
        if (intervalMs < 1) {
          throw new ValidationError(
            `--rate ${rate} with ${options.assets} assets at --speed ${speed} would give one machine two readings ` +
              'in the same millisecond: lower --rate or --speed, or add assets',
            [{ path: 'rate', message: 'at most assets × 1000 × speed' }],
          );
        }
        const durationMs = options.duration === undefined ? undefined : parseDuration(options.duration, 'duration');
        const simulator = new FleetSimulator({
          machines: options.assets,
          clock: { now: () => Date.now() },
          seed: options.seed,
          intervalMs,
          currentSensor: true,
          dailyCycle: true,
          suddenFaultsPerDay: positiveOrZero('sudden-faults', options.suddenFaults),
          glitchProbability: positiveOrZero('glitches', options.glitches),
        });
        const start = options.start === undefined ? Date.now() : parseTimestamp(options.start);
        if (start === undefined) {
          throw new ValidationError(`'start' must be an ISO 8601 time, got "${options.start}"`, [
            { path: 'start', message: 'e.g. 2026-01-01T00:00:00Z' },
          ]);
        }
        const startTs = Math.ceil(start / intervalMs) * intervalMs;
        const sink = await openSink(options.to, {
          batch: options.batch ?? (options.to.startsWith('mqtt') ? 1 : 1000),
          apiKey: options.apiKey ?? process.env.UPKEEP_API_KEY,
          topic: options.topic,
          stream: options.stream,
          subjectPrefix: options.subjectPrefix,
          log: (line) => process.stderr.write(`upkeep: ${line}\n`),
        });
        const abort = new AbortController();
        const stop = () => abort.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        printLine(
          `simulating ${formatCount(options.assets)} machines, one reading each every ${intervalMs} ms of simulated ` +
            `time (${formatCount(rate)} readings/s) → ${sink.description}`,
        );
        try {
          const result = await runSimulation(simulator, sink, {
            wallMsPerTick,
            startTs,
            ticks: durationMs === undefined ? undefined : Math.max(1, Math.round(durationMs / wallMsPerTick)),
            signal: abort.signal,
          });
          const end = result.lastTs === undefined ? startTs : result.lastTs + intervalMs;
          const failures = simulator.failuresBetween(startTs, end);
          if (options.failures !== undefined) await writeFile(options.failures, failuresCsv(failures));
          const seconds = result.wallMs / 1000;
          printLine(
            `sent ${formatCount(result.readings)} readings (${formatCount(result.values)} values) in ` +
              `${seconds.toFixed(1)} s (${formatCount(Math.round(result.readings / Math.max(seconds, 1e-3)))} ` +
              `readings/s), simulated ${formatTimestamp(startTs)} – ${formatTimestamp(end)}; ` +
              `${formatCount(failures.length)} failures` +
              (options.failures === undefined ? '' : ` written to ${options.failures}`),
          );
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          await sink.close();
        }
      }),
    );
}

function positiveOrZero(field: string, value: string): number {
  return value.trim() === '0' ? 0 : positiveNumber(field, value);
}
