import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiMetrics } from '../middleware/metrics.js';

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics (text exposition format)',
  description: 'Needs a key with the read role unless the server runs with public metrics.',
  responses: {
    200: { description: 'Metrics', content: { 'text/plain': { schema: z.string() } } },
  },
});

/** `GET /metrics`: the server's Prometheus registry, scraped. */
export function metricsRoutes(metrics: ApiMetrics): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(metricsRoute, async (c) => {
    const { text, contentType } = await metrics.scrape();
    return c.text(text, 200, { 'Content-Type': contentType });
  });
  return app;
}
