import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { systemClock } from '../core/clock.js';
import { VERSION } from '../core/version.js';
import { openStore } from '../store/open.js';
import { createApp } from './app.js';
import { DEFAULT_LIMITS } from './context.js';

type AppHandler = ReturnType<typeof handle>;

/** Built on the first invocation and kept for the life of the container (warm invocations reuse store and app). */
let ready: Promise<AppHandler> | undefined;

async function build(): Promise<AppHandler> {
  const store = await openStore(process.env.UPKEEP_DB || ':memory:');
  return handle(createApp({ store, clock: systemClock, limits: DEFAULT_LIMITS, version: VERSION }));
}

/**
 * AWS Lambda entry point: the same app as `upkeep serve`, for API Gateway REST (payload 1.0) and HTTP API
 * (payload 2.0) proxy events. The store is DuckDB, in memory unless `UPKEEP_DB` names another (a file under /tmp
 * lives as long as the container). A failed start is not cached: the next invocation tries again.
 */
export async function handler(event: LambdaEvent, context?: LambdaContext) {
  ready ??= build().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return (await ready)(event, context);
}
