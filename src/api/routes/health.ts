import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppContext } from '../context.js';

const HealthSchema = z.object({ status: z.literal('ok'), version: z.string(), store: z.string() }).openapi('Health');

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Liveness: the process answers',
  responses: { 200: { description: 'Alive', content: { 'application/json': { schema: HealthSchema } } } },
});

const NotReadySchema = z.object({
  error: z.string(),
  details: z.array(z.object({ path: z.string(), message: z.string() })),
});

const readyRoute = createRoute({
  method: 'get',
  path: '/ready',
  summary: 'Readiness: the store answers queries and every configured broker is reachable',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: HealthSchema } } },
    503: {
      description: 'Not ready: the failing dependency is named',
      content: { 'application/json': { schema: NotReadySchema } },
    },
  },
});

export function healthRoutes(ctx: AppContext): OpenAPIHono {
  const app = new OpenAPIHono();
  const body = () => ({ status: 'ok' as const, version: ctx.version, store: ctx.store.kind });
  app.openapi(healthRoute, (c) => c.json(body(), 200));
  app.openapi(readyRoute, async (c) => {
    const checks = [{ name: 'store', check: () => ctx.store.listAssets({ limit: 1 }) }, ...(ctx.readiness ?? [])];
    const failures: { path: string; message: string }[] = [];
    await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await check();
        } catch (error) {
          failures.push({ path: name, message: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
    if (failures.length > 0) {
      return c.json(
        { error: `not ready: ${failures.map((failure) => failure.path).join(', ')}`, details: failures },
        503,
      );
    }
    return c.json(body(), 200);
  });
  return app;
}
