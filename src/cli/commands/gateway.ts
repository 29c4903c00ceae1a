import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Command } from 'commander';
import { Hono } from 'hono';
import { DEFAULT_LIMITS } from '../../api/context.js';
import { errorResponse } from '../../api/middleware/error-handler.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { PayloadTooLargeError, UpkeepError } from '../../core/errors.js';
import { normaliseReadings } from '../../core/reading.js';
import { withoutCredentials } from '../../core/url.js';
import { parseReadingsBody } from '../../io/body-parsers.js';
import { DEFAULT_STREAM, DEFAULT_SUBJECT_PREFIX, ensureTelemetryStream } from '../../stream/jetstream.js';
import { publishReadings } from '../../stream/jetstream-publisher.js';
import { action, integerOption, printLine } from '../run.js';
import { connectNats } from './worker.js';

export interface GatewayAppOptions {
  subjectPrefix?: string;
  clock?: Clock;
  maxBodyBytes?: number;
  maxReadings?: number;
}

/**
 * The ingest edge of a scaled-out deployment: `POST /v1/readings` takes the same bodies as the API (JSON, NDJSON,
 * CSV), validates them and publishes them to the telemetry stream instead of the store, answering 202 with counts
 * once JetStream stored every message. Workers (`upkeep worker`) commit them to the database.
 */
export function gatewayApp(js: JetStreamClient, options: GatewayAppOptions = {}): Hono {
  const clock = options.clock ?? systemClock;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes;
  const maxReadings = options.maxReadings ?? DEFAULT_LIMITS.maxReadings;
  const app = new Hono();
  app.onError((error, c) => errorResponse(error, c));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.post('/v1/readings', async (c) => {
    const declared = Number(c.req.header('content-length') ?? 0);
    const tooLarge = (size: number) =>
      new PayloadTooLargeError(`request body of ${size} bytes exceeds the limit of ${maxBodyBytes}`, [
        { path: 'body', message: `at most ${maxBodyBytes} bytes` },
      ]);
    if (declared > maxBodyBytes) throw tooLarge(declared);
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.byteLength > maxBodyBytes) throw tooLarge(body.byteLength);
    const readings = normaliseReadings(parseReadingsBody(c.req.header('content-type'), body), {
      receivedAt: clock.now(),
      maxReadings,
    });
    const published = await publishReadings(js, readings, { subjectPrefix: options.subjectPrefix });
    return c.json({ accepted: published.values, readings: published.readings, messages: published.messages }, 202);
  });
  return app;
}

interface GatewayCliOptions {
  nats: string;
  host: string;
  port: number;
  stream: string;
  subjectPrefix: string;
}

export function registerGateway(program: Command): void {
  program
    .command('gateway')
    .description('serve POST /v1/readings, publishing to the NATS JetStream telemetry stream for `upkeep worker`s')
    .requiredOption('--nats <url>', 'NATS server, e.g. nats://127.0.0.1:4222')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', integerOption('--port', 0, 65535), 8080)
    .option('--stream <name>', 'JetStream stream name', DEFAULT_STREAM)
    .option('--subject-prefix <prefix>', 'subjects are <prefix>.<asset>', DEFAULT_SUBJECT_PREFIX)
    .action(
      action(async (options: GatewayCliOptions) => {
        const nc = await connectNats(options.nats);
        await ensureTelemetryStream(await jetstreamManager(nc), {
          stream: options.stream,
          subjectPrefix: options.subjectPrefix,
        });
        const app = gatewayApp(jetstream(nc), { subjectPrefix: options.subjectPrefix });
        const server = createAdaptorServer({ fetch: app.fetch }) as Server;
        await new Promise<void>((resolve, reject) => {
          server.once('error', (error: Error) => {
            void nc.close();
            reject(new UpkeepError(`cannot listen on ${options.host}:${options.port}: ${error.message}`));
          });
          server.listen(options.port, options.host, resolve);
        });
        const port = (server.address() as AddressInfo).port;
        printLine(
          `gateway on http://${options.host}:${port}, publishing to stream ${options.stream} at ${withoutCredentials(options.nats)}`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => {
            server.close(() => resolve());
            server.closeIdleConnections();
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await nc.drain();
      }),
    );
}
