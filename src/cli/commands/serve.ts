import type { Command } from 'commander';
import { pino } from 'pino';
import { type AuthConfig, DEFAULT_LIMITS } from '../../api/context.js';
import { DEFAULT_RATE_LIMIT } from '../../api/middleware/rate-limit.js';
import { startServer } from '../../api/server.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { ValidationError } from '../../core/errors.js';
import { normaliseReadings, type Reading } from '../../core/reading.js';
import { withoutCredentials } from '../../core/url.js';
import { FleetSimulator } from '../../io/fleet-simulator.js';
import { ensureDefaultModels } from '../../jobs/default-models.js';
import { AlertMonitor } from '../../scoring/alert-monitor.js';
import { AssetHealthScorer } from '../../scoring/asset-health.js';
import { NotifyingAlertStore } from '../../scoring/notifiers/notifying-alerts.js';
import { WebhookNotifier } from '../../scoring/notifiers/webhook.js';
import type { AlertStore } from '../../store/alerts.js';
import type { DeadLetterStore } from '../../store/dead-letters.js';
import { openAlertStores } from '../../store/open-alerts.js';
import { openApiKeyStore } from '../../store/open-api-keys.js';
import { openDetectorStates } from '../../store/open-detector-states.js';
import { openRegistry } from '../../store/open-registry.js';
import type { Store } from '../../store/store.js';
import type { Webhook } from '../../store/webhooks.js';
import { DEFAULT_MQTT_TOPIC, MqttSource } from '../../stream/mqtt-source.js';
import { Pipeline } from '../../stream/pipeline.js';
import { action, DEFAULT_DB, formatCount, integerOption, openCliStore, printLine } from '../run.js';
import { addServeJobOptions, openServeJobs, type ServeJobsOptions } from './serve-jobs.js';

/** How often `upkeep serve` saves the states of the detectors that learned since the last save. */
const DETECTOR_SNAPSHOT_MS = 60_000;

export interface ServeOptions extends ServeJobsOptions {
  host: string;
  port: number;
  db: string;
  simulate?: number;
  /** `--mqtt URL`: consume telemetry from this broker. */
  mqtt?: string;
  mqttTopic: string;
  mqttClients: number;
  /** False with `--no-auth`: every route open. Otherwise API keys are required once at least one exists. */
  auth: boolean;
  /** `--rate-limit`: sustained requests per second per key (the burst is twice that). */
  rateLimit?: number;
  /** `--public-metrics`: serve `GET /metrics` without a key. */
  publicMetrics?: boolean;
  /** `--webhook URL` (repeatable): also post alert changes here, signed with UPKEEP_WEBHOOK_SECRET. */
  webhook?: string[];
  /** `--cors-origin ORIGIN` (repeatable): browsers on these origins may call the API. */
  corsOrigin?: string[];
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Whether and how the server checks API keys, with the line that tells the operator: off with `--no-auth`; on
 * when the database holds at least one usable key; otherwise open, with how to create the first key.
 */
export async function serveAuth(
  store: Store,
  options: Pick<ServeOptions, 'auth' | 'db' | 'host' | 'rateLimit' | 'publicMetrics'>,
  clock: Clock = systemClock,
): Promise<{ auth?: AuthConfig; notice: string }> {
  const refuseOpen = (why: string) =>
    new ValidationError(
      `${why}, so every route would be open on --host ${options.host}: serving beyond localhost needs a key; run ` +
        `\`upkeep keys create --role admin --name NAME --db ${options.db}\` first`,
      [{ path: 'host', message: 'a non-loopback --host needs an API key' }],
    );
  if (!options.auth) {
    if (!isLoopback(options.host)) {
      throw new ValidationError(
        `--no-auth is allowed only on localhost (127.0.0.1, ::1), not on --host ${options.host}: create a key with \`upkeep keys create\` instead`,
        [{ path: 'no-auth', message: 'only with a loopback --host' }],
      );
    }
    return {
      notice: `authentication is off (--no-auth): every route is open to anyone on this machine (${options.host})`,
    };
  }
  let keys: Awaited<ReturnType<typeof openApiKeyStore>>;
  try {
    keys = await openApiKeyStore(store);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (!isLoopback(options.host)) throw refuseOpen(reason);
    return { notice: `${reason}: every route is open` };
  }
  const usable = await keys.countUsable(clock.now());
  if (usable === 0) {
    if (!isLoopback(options.host)) throw refuseOpen('no API keys yet');
    return {
      notice:
        `no API keys yet, so every route is open to anyone on this machine. To require keys, stop the server, run ` +
        `\`upkeep keys create --role admin --name NAME --db ${options.db}\` and start it again`,
    };
  }
  const perSecond = options.rateLimit ?? DEFAULT_RATE_LIMIT.perSecond;
  return {
    auth: { keys, rateLimit: { perSecond, burst: 2 * perSecond }, publicMetrics: options.publicMetrics ?? false },
    notice:
      `API keys required (${usable} active; ${perSecond} requests/s per key)` +
      (options.publicMetrics ? '; /metrics is public' : ''),
  };
}

export interface Simulation {
  simulator: FleetSimulator;
  /** Metric values per second the fleet produces. */
  valuesPerSecond: number;
  stop(): Promise<void>;
}

/**
 * Streams a simulated fleet into the store in-process: every interval the due readings go through the same
 * validation (`normaliseReadings`) and append as an HTTP batch. Continues after the latest stored reading of the
 * fleet, so a restart on the same store carries on its history. Each stored batch then goes to `onBatch` (the
 * alert rules). A failed append is reported once per message on stderr and the next tick tries again.
 */
export async function startSimulation(
  store: Store,
  machines: number,
  clock: Clock = systemClock,
  onBatch?: (readings: Reading[]) => Promise<unknown>,
): Promise<Simulation> {
  const probe = new FleetSimulator({ machines, clock });
  let lastStored: number | undefined;
  for (const machine of probe.machines) {
    const lastTs = (await store.getAsset(machine.id))?.lastTs;
    if (lastTs != null && (lastStored === undefined || lastTs > lastStored)) lastStored = lastTs;
  }
  const simulator = new FleetSimulator({ machines, clock, startAfter: lastStored });
  await store.upsertAssets(simulator.assets());
  const reported = new Set<string>();
  let inFlight: Promise<void> | undefined;
  const tick = () => {
    if (inFlight) return;
    inFlight = (async () => {
      try {
        const readings = normaliseReadings(simulator.next(), {
          receivedAt: clock.now(),
          maxReadings: DEFAULT_LIMITS.maxReadings,
        });
        if (readings.length > 0) await store.appendReadings(readings);
        if (readings.length > 0) await onBatch?.(readings);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!reported.has(message)) {
          reported.add(message);
          process.stderr.write(`upkeep: simulator: ${message}\n`);
        }
      } finally {
        inFlight = undefined;
      }
    })();
  };
  tick();
  const timer = setInterval(tick, simulator.intervalMs);
  let valuesPerTick = 0;
  for (const reading of simulator.readingsAt(0)) valuesPerTick += Object.keys(reading.metrics).length;
  return {
    simulator,
    valuesPerSecond: (valuesPerTick * 1000) / simulator.intervalMs,
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}

function describeFleet(simulator: FleetSimulator): string {
  const counts = new Map<string, number>();
  for (const machine of simulator.machines) counts.set(machine.kind, (counts.get(machine.kind) ?? 0) + 1);
  return [...counts.entries()].map(([kind, count]) => `${count} ${kind}${count === 1 ? '' : 's'}`).join(', ');
}

/** Webhooks given on the command line: their secret comes from the environment, never from an argument. */
function commandLineWebhooks(urls: readonly string[] | undefined, now: number): Webhook[] {
  if (!urls || urls.length === 0) return [];
  const secret = process.env.UPKEEP_WEBHOOK_SECRET ?? '';
  if (secret.length < 16) {
    throw new ValidationError('--webhook needs UPKEEP_WEBHOOK_SECRET (at least 16 characters) in the environment', [
      { path: 'webhook', message: 'UPKEEP_WEBHOOK_SECRET missing or shorter than 16 characters' },
    ]);
  }
  return urls.map((url, index) => {
    if (!/^https?:\/\/\S+$/i.test(url) || !URL.canParse(url)) {
      throw new ValidationError(`--webhook must be an http(s) URL, got '${withoutCredentials(url)}'`, [
        { path: 'webhook', message: 'must be an http(s) URL' },
      ]);
    }
    return { id: `cli-${index + 1}`, url, secret, createdAt: now };
  });
}

/** MQTT broker credentials from the environment (never from arguments, never logged). */
function mqttCredentials(): { username?: string; password?: string } {
  const { UPKEEP_MQTT_USERNAME: username, UPKEEP_MQTT_PASSWORD: password } = process.env;
  return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function registerServe(program: Command): Command {
  return addServeJobOptions(program.command('serve'))
    .description('serve the HTTP API (and, with --simulate, stream a simulated fleet into it)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', integerOption('--port', 0, 65535), 8080)
    .option('--db <path>', 'DuckDB file, :memory: or postgres://… URL', DEFAULT_DB)
    .option(
      '--simulate <machines>',
      'stream N simulated machines into the store',
      integerOption('--simulate', 1, 100_000),
    )
    .option(
      '--mqtt <url>',
      'consume telemetry from an MQTT broker, e.g. mqtt://127.0.0.1:1883 (QoS 1, persistent session)',
    )
    .option(
      '--mqtt-topic <filter>',
      "topic filter; its '+' level is the asset id of readings without one",
      DEFAULT_MQTT_TOPIC,
    )
    .option(
      '--mqtt-clients <n>',
      'MQTT connections sharing the subscription ($share/…): more messages in flight, faster (keep it stable)',
      integerOption('--mqtt-clients', 1, 256),
      1,
    )
    .option('--no-auth', 'serve without API keys: every route open')
    .option(
      '--rate-limit <per-second>',
      `requests per second per API key (burst twice that; default ${DEFAULT_RATE_LIMIT.perSecond})`,
      integerOption('--rate-limit', 1, 1_000_000),
    )
    .option('--public-metrics', 'serve GET /metrics without a key (for a Prometheus on a private network)')
    .option(
      '--webhook <url>',
      'also post alert changes to this URL, signed with UPKEEP_WEBHOOK_SECRET (repeatable)',
      collect,
    )
    .option('--cors-origin <origin>', 'let browsers on this origin call the API (repeatable; default none)', collect)
    .action(
      action(async (options: ServeOptions) => {
        const store = await openCliStore(options.db);
        let simulation: Simulation | undefined;
        let mqttSource: MqttSource | undefined;
        let deadLetters: DeadLetterStore | undefined;
        let alerts: AlertStore | undefined;
        let notifier: WebhookNotifier | undefined;
        let pipeline: Pipeline;
        let server: Awaited<ReturnType<typeof startServer>>;
        let authNotice = '';
        try {
          const { registry, jobs: jobRecords } = await openRegistry(store);
          if (options.simulate !== undefined) {
            const simulator = new FleetSimulator({ machines: options.simulate, clock: systemClock });
            await ensureDefaultModels({ store, registry, simulator, clock: systemClock, log: printLine });
          }
          const serveJobs = await openServeJobs(options, store, registry, jobRecords);
          const jobs = serveJobs.batch.runner;
          const operations = await openAlertStores(store);
          deadLetters = operations.deadLetters;
          const logger = pino({ level: process.env.UPKEEP_LOG_LEVEL ?? 'info' }, pino.destination(2));
          notifier = new WebhookNotifier({
            store: operations.webhooks,
            fixed: commandLineWebhooks(options.webhook, systemClock.now()),
            log: (line) => logger.warn(line),
          });
          alerts = new NotifyingAlertStore(operations.alerts, notifier);
          const monitor = await AlertMonitor.open(alerts);
          // Detector states are restored at start and saved every minute and on shutdown: no warm-up after a restart.
          const detectorStates = await openDetectorStates(store);
          const scorer = new AssetHealthScorer(
            store,
            {},
            detectorStates && { states: detectorStates, now: () => systemClock.now() },
          );
          await scorer.restore();
          const snapshots = setInterval(() => {
            scorer.snapshot().catch((error: Error) => logger.warn(`detector states not saved: ${error.message}`));
          }, DETECTOR_SNAPSHOT_MS);
          snapshots.unref();
          pipeline = new Pipeline({ store, scorer, monitor });
          const access = await serveAuth(store, options);
          authNotice = access.notice;
          server = await startServer({
            store,
            registry,
            jobs,
            batch: serveJobs.batch,
            deadLetters,
            alerts,
            webhooks: operations.webhooks,
            corsOrigins: options.corsOrigin,
            logger,
            readiness: [
              {
                name: 'mqtt',
                check: async () => {
                  if (mqttSource && !mqttSource.stats().connected) throw new Error('MQTT broker not connected');
                },
              },
            ],
            auth: access.auth,
            pipeline,
            host: options.host,
            port: options.port,
            handleSignals: true,
            onShutdown: async () => {
              await mqttSource?.stop();
              await simulation?.stop();
              await pipeline.close();
              clearInterval(snapshots);
              await scorer.snapshot();
              await notifier?.close();
              await serveJobs.close();
            },
          });
        } catch (error) {
          await store.close();
          throw error;
        }
        printLine(`Upkeep is serving on ${server.url}`);
        printLine(`dashboard: ${server.url}/`);
        if (options.mqtt !== undefined && deadLetters !== undefined) {
          try {
            mqttSource = await MqttSource.start(pipeline.storeFor('mqtt'), deadLetters, {
              url: options.mqtt,
              topic: options.mqttTopic,
              subscribers: options.mqttClients,
              scope: options.db,
              ...mqttCredentials(),
              log: (line) => process.stderr.write(`upkeep: ${line}\n`),
            });
          } catch (error) {
            await server.close();
            throw error;
          }
          printLine(
            `consuming MQTT ${mqttSource.topic} from ${withoutCredentials(mqttSource.url)} as ${mqttSource.clientId}`,
          );
        }
        printLine(authNotice);
        if (options.simulate !== undefined) {
          try {
            simulation = await startSimulation(pipeline.storeFor('simulator'), options.simulate, systemClock);
          } catch (error) {
            await server.close();
            throw error;
          }
          const { simulator } = simulation;
          printLine(
            `simulating ${formatCount(simulator.machines.length)} machines (${describeFleet(simulator)}): ` +
              `${formatCount(simulation.valuesPerSecond)} values/s into ${options.db}`,
          );
        }
        await server.closed;
      }),
    );
}
