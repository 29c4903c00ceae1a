import type { Command } from 'commander';
import { DEFAULT_LIMITS } from '../../api/context.js';
import { startServer } from '../../api/server.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { normaliseReadings } from '../../core/reading.js';
import { FleetSimulator } from '../../io/fleet-simulator.js';
import { JobRunner } from '../../jobs/runner.js';
import { openRegistry } from '../../store/open-registry.js';
import type { Store } from '../../store/store.js';
import { action, DEFAULT_DB, formatCount, integerOption, openCliStore, printLine } from '../run.js';

export interface ServeOptions {
  host: string;
  port: number;
  db: string;
  simulate?: number;
  /** `--no-auth`; the API has no authentication yet, so this is accepted and changes nothing. */
  auth: boolean;
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
 * fleet, so a restart on the same store carries on its history. A failed append is reported once per message
 * on stderr and the next tick tries again.
 */
export async function startSimulation(store: Store, machines: number, clock: Clock = systemClock): Promise<Simulation> {
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

export function registerServe(program: Command): Command {
  return program
    .command('serve')
    .description('serve the HTTP API (and, with --simulate, stream a simulated fleet into it)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', integerOption('--port', 0, 65535), 8080)
    .option('--db <path>', 'DuckDB file, :memory: or postgres://… URL', DEFAULT_DB)
    .option(
      '--simulate <machines>',
      'stream N simulated machines into the store',
      integerOption('--simulate', 1, 100_000),
    )
    .option('--no-auth', 'serve without API keys')
    .action(
      action(async (options: ServeOptions) => {
        const store = await openCliStore(options.db);
        let simulation: Simulation | undefined;
        let server: Awaited<ReturnType<typeof startServer>>;
        try {
          const { registry, jobs: jobRecords } = await openRegistry(store);
          const jobs = await JobRunner.open(jobRecords);
          server = await startServer({
            store,
            registry,
            jobs,
            host: options.host,
            port: options.port,
            handleSignals: true,
            onShutdown: async () => {
              await simulation?.stop();
              await jobs.close();
            },
          });
        } catch (error) {
          await store.close();
          throw error;
        }
        printLine(`Upkeep is serving on ${server.url}`);
        if (options.simulate !== undefined) {
          try {
            simulation = await startSimulation(store, options.simulate);
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
