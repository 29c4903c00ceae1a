import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppContext } from '../context.js';

const HealthSchema = z.object({ status: z.literal('ok'), version: z.string(), store: z.string() }).openapi('Health');

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Liveness: the process answers',
  responses: { 200: { description: 'Alive', content: { 'application/json': { schema: HealthSchema } } } },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/ready',
  summary: 'Readiness: the store answers queries',
  responses: { 200: { description: 'Ready', content: { 'application/json': { schema: HealthSchema } } } },
});

export function healthRoutes(ctx: AppContext): OpenAPIHono {
  const app = new OpenAPIHono();
  const body = () => ({ status: 'ok' as const, version: ctx.version, store: ctx.store.kind });
  app.openapi(healthRoute, (c) => c.json(body(), 200));
  app.openapi(readyRoute, async (c) => {
    await ctx.store.listAssets({ limit: 1 });
    return c.json(body(), 200);
  });
  return app;
}
