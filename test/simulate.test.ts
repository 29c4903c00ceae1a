import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failuresCsv } from '../src/cli/commands/simulate.js';
import { FleetSimulator } from '../src/io/fleet-simulator.js';
import { MAIN, runUpkeep, TSX } from './helpers/cli.js';
import { ROOT } from './helpers/paths.js';
import { serviceAvailable } from './helpers/services.js';

const mqttUp = await serviceAvailable('Mosquitto', 1883);
const natsUp = await serviceAvailable('NATS JetStream', 4222);
const START = '2026-03-01T00:00:00Z';
const T0 = Date.parse(START);

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'upkeep-simulate-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function startServe(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [MAIN, 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Upkeep is serving on (\S+)/.exec(stdout);
      if (match) resolve({ child, url: match[1] as string });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

/** 5 machines at 50 readings/s for 1 s with an hour of simulated time per second: 50 readings, 10 ticks of 6 min. */
const RUN = ['--assets', '5', '--rate', '50', '--duration', '1s', '--speed', '3600', '--start', START, '--seed', '7'];

describe('upkeep simulate', () => {
  it('rejects a sink it does not know and a rate finer than a millisecond, naming the option', async () => {
    const bad = await runUpkeep(['simulate', '--assets', '2', '--rate', '5', '--to', 'ftp://x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'to' must be an http:\/\/, mqtt:\/\/ or nats:\/\/ URL/);
    const fast = await runUpkeep(['simulate', '--assets', '1', '--rate', '5000', '--to', 'http://127.0.0.1:1']);
    expect(fast.code).toBe(2);
    expect(fast.stderr).toMatch(/lower --rate/);
  });

  it('writes the ground truth of the simulated period as CSV', () => {
    const simulator = new FleetSimulator({ machines: 3, clock: { now: () => T0 }, suddenFaultsPerDay: 2 });
    const events = simulator.failuresBetween(T0, T0 + 86_400_000);
    const csv = failuresCsv(events).trim().split('\n');
    expect(csv[0]).toBe('asset,kind,ts,cause,mode');
    expect(csv).toHaveLength(events.length + 1);
    expect(csv[1]).toMatch(
      /^(pump|motor|compressor)-\d{3},(pump|motor|compressor),2026-03-0[12]T[\d:.]+Z,(wear|sudden),/,
    );
  });

  it('sends the same readings to the HTTP server for the same seed, with the failures of the period', async () => {
    const { child, url } = await startServe(['--db', ':memory:', '--port', '0', '--no-auth']);
    try {
      const failures = join(workDir, 'failures.csv');
      const run = await runUpkeep(['simulate', ...RUN, '--to', url, '--failures', failures]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/sent 50 readings \(\d+ values\)/);
      const { assets: list } = (await (await fetch(`${url}/v1/assets`)).json()) as { assets: { id: string }[] };
      expect(list.map((asset) => asset.id).sort()).toEqual(
        new FleetSimulator({ machines: 5, clock: { now: () => T0 }, seed: 7 }).machines.map((m) => m.id).sort(),
      );
      const first = list[0] as { id: string };
      const stored = (await (await fetch(`${url}/v1/assets/${first.id}/readings?metric=current`)).json()) as {
        readings: { ts: string | number; value: number }[];
      };
      expect(stored.readings).toHaveLength(10);
      // The same seed recomputes the very values that were sent.
      const simulator = new FleetSimulator({
        machines: 5,
        clock: { now: () => T0 },
        seed: 7,
        intervalMs: 360_000,
        currentSensor: true,
        dailyCycle: true,
        suddenFaultsPerDay: 0.5,
        glitchProbability: 0.0005,
      });
      const expected = simulator.readingsAt(T0).find((reading) => reading.asset === first.id)?.metrics.current;
      expect(stored.readings[0]?.value).toBe(expected);
      const csv = await readFile(failures, 'utf8');
      expect(csv).toBe(failuresCsv(simulator.failuresBetween(T0, T0 + 3_600_000)));
    } finally {
      child.kill('SIGTERM');
    }
  }, 40_000);

  it.skipIf(!mqttUp)(
    'publishes one reading per QoS 1 message on the asset topic to Mosquitto',
    async () => {
      const prefix = `sim-${randomUUID().slice(0, 8)}`;
      const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883');
      const received: { topic: string; body: { asset: string; ts: number; metrics: Record<string, number> } }[] = [];
      client.on('message', (topic, payload) => received.push({ topic, body: JSON.parse(payload.toString()) }));
      await client.subscribeAsync(`${prefix}/+/telemetry`, { qos: 1 });
      try {
        const run = await runUpkeep([
          'simulate',
          ...RUN,
          '--to',
          'mqtt://127.0.0.1:1883',
          '--topic',
          `${prefix}/{asset}/telemetry`,
        ]);
        expect(run.code).toBe(0);
        const deadline = Date.now() + 5000;
        while (received.length < 50 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(received).toHaveLength(50);
        for (const { topic, body } of received) {
          expect(topic).toBe(`${prefix}/${body.asset}/telemetry`);
          expect(Object.keys(body.metrics)).toEqual(
            expect.arrayContaining(['temperature', 'vibration', 'rpm', 'current']),
          );
        }
      } finally {
        await client.endAsync();
      }
    },
    30_000,
  );

  it.skipIf(!natsUp)(
    'publishes to a JetStream stream, one subject per asset',
    async () => {
      const stream = `SIM_${randomUUID().slice(0, 8)}`;
      const prefix = `sim${randomUUID().slice(0, 8)}`;
      const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
      const jsm = await jetstreamManager(nc);
      try {
        const run = await runUpkeep([
          'simulate',
          ...RUN,
          '--to',
          'nats://127.0.0.1:4222',
          '--stream',
          stream,
          '--subject-prefix',
          prefix,
          '--batch',
          '100',
        ]);
        expect(run.code).toBe(0);
        const info = await jsm.streams.info(stream);
        expect(info.config.subjects).toEqual([`${prefix}.>`]);
        // One message per asset per chunk: 5 assets, the 10 ticks sent in as many chunks as were due at once.
        expect(info.state.messages).toBeGreaterThanOrEqual(5);
        expect(info.state.num_subjects).toBe(5);
        let readings = 0;
        const consumer = await (await import('@nats-io/jetstream')).jetstream(nc).consumers.get(stream);
        const messages = await consumer.fetch({ max_messages: info.state.messages, expires: 2000 });
        for await (const message of messages) {
          readings += (message.json() as unknown[]).length;
          if (message.seq === info.state.last_seq) break;
        }
        expect(readings).toBe(50);
      } finally {
        await jsm.streams.delete(stream).catch(() => {});
        await nc.close();
      }
    },
    30_000,
  );
});
