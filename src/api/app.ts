import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { ValidationError } from '../core/errors.js';
import type { AppContext } from './context.js';
import { ApiKeyVerifier, authenticate } from './middleware/auth.js';
import { errorResponse } from './middleware/error-handler.js';
import { httpMetrics } from './middleware/metrics.js';
import { DEFAULT_RATE_LIMIT, rateLimit, TokenBuckets } from './middleware/rate-limit.js';
import { requestLog } from './middleware/request-log.js';
import { withDeclaredAccess } from './middleware/route-access.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, requestTimeout } from './middleware/timeout.js';
import { alertsRoutes } from './routes/alerts.js';
import { analyseRoutes } from './routes/analyse.js';
import { analyseHistoryRoutes } from './routes/analyse-history.js';
import { assetsRoutes } from './routes/assets.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { deadLettersRoutes } from './routes/dead-letters.js';
import { eventsRoutes } from './routes/events.js';
import { fleetRoutes } from './routes/fleet.js';
import { healthRoutes } from './routes/health.js';
import { healthAssetRoutes } from './routes/health-asset.js';
import { jobsRoutes } from './routes/jobs.js';
import { keysRoutes } from './routes/keys.js';
import { metricsRoutes } from './routes/metrics.js';
import { modelsRoutes } from './routes/models.js';
import { readingsRoutes } from './routes/readings.js';
import { reportRoutes } from './routes/report.js';
import { webhooksRoutes } from './routes/webhooks.js';

/** Turns zod validation failures of a route's declared params/query/body into a ValidationError (HTTP 400). */
export function newRouter(): OpenAPIHono {
  return new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) {
        const details = result.error.issues.map((issue) => ({
          path: issue.path.join('.'),
          message: `${issue.path.join('.') || 'body'}: ${issue.message}`,
        }));
        throw new ValidationError(details[0]?.message ?? 'invalid request', details);
      }
    },
  });
}

/** The whole HTTP API as one Hono app: served by Node (`server.ts`) and by AWS Lambda (`lambda.ts`). */
export function createApp(ctx: AppContext): OpenAPIHono {
  const app = newRouter();
  app.onError(errorResponse);
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}`, details: [] }, 404));

  if (ctx.metrics) app.use('*', httpMetrics(ctx.metrics));
  app.use('*', requestLog(ctx.logger));
  if (ctx.corsOrigins && ctx.corsOrigins.length > 0) app.use('*', cors({ origin: ctx.corsOrigins }));
  app.use('*', requestTimeout(ctx.limits.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS));
  if (ctx.auth) {
    const verifier = new ApiKeyVerifier({ keys: ctx.auth.keys, clock: ctx.clock });
    app.use('*', authenticate(verifier, { publicMetrics: ctx.auth.publicMetrics }));
    app.use('*', rateLimit(new TokenBuckets(ctx.auth.rateLimit ?? DEFAULT_RATE_LIMIT, ctx.clock)));
    app.route('/', keysRoutes(ctx, ctx.auth.keys, verifier));
  }

  app.route('/', healthRoutes(ctx));
  if (ctx.metrics) app.route('/', metricsRoutes(ctx.metrics));
  app.route('/', readingsRoutes(ctx));
  app.route('/', assetsRoutes(ctx));
  app.route('/', healthAssetRoutes(ctx));
  app.route('/', analyseHistoryRoutes(ctx));
  app.route('/', analyseRoutes(ctx));
  app.route('/', modelsRoutes(ctx));
  app.route('/', reportRoutes(ctx));
  app.route('/', jobsRoutes(ctx));
  if (ctx.deadLetters) app.route('/', deadLettersRoutes(ctx.deadLetters));
  if (ctx.alerts) app.route('/', alertsRoutes(ctx.alerts, ctx.clock));
  if (ctx.webhooks) app.route('/', webhooksRoutes(ctx.webhooks, ctx.clock));
  app.route('/', fleetRoutes(ctx));
  app.route('/', eventsRoutes(ctx));

  const documentConfig = {
    openapi: '3.1.0',
    info: { title: 'Upkeep API', version: ctx.version, description: 'Predictive maintenance for fleets of machines' },
  };
  // The generated document, each operation marked with the access it declares in ROUTE_ACCESS.
  app.get('/openapi.json', (c) =>
    c.json(withDeclaredAccess(app.getOpenAPI31Document(documentConfig), ctx.auth?.publicMetrics ?? false)),
  );
  // Last: the dashboard's files and pages answer only GETs that no API route took.
  app.route('/', dashboardRoutes());
  return app;
}
