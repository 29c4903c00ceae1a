import { randomBytes } from 'node:crypto';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Clock } from '../../core/clock.js';
import { formatTimestamp } from '../../core/time.js';
import { DEFAULT_DELIVERY_PAGE, WEBHOOK_EVENTS, type Webhook, type WebhookStore } from '../../store/webhooks.js';
import { newRouter } from '../app.js';
import { idParams } from './path-params.js';
import { ErrorResponseSchema } from './readings.js';

const errorContent = { 'application/json': { schema: ErrorResponseSchema } };

const WebhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    created_at: z.string().openapi({ description: 'ISO-8601, UTC' }),
  })
  .openapi('Webhook');

const NewWebhookSchema = z
  .object({
    url: z
      .string()
      .max(2000)
      .refine((value) => /^https?:\/\/[^\s]+$/i.test(value) && URL.canParse(value), 'must be an http(s) URL')
      .openapi({ example: 'https://ops.example.com/hooks/upkeep' }),
    secret: z
      .string()
      .min(16)
      .max(200)
      .optional()
      .openapi({ description: 'HMAC-SHA256 key of the signatures; a random one is made (and shown once) if absent' }),
  })
  .openapi('NewWebhook');

const DeliverySchema = z
  .object({
    id: z.number().int(),
    webhook_id: z.string(),
    delivery_id: z.string().openapi({ description: 'The same for every attempt at one event' }),
    event: z.enum(WEBHOOK_EVENTS),
    alert_id: z.string(),
    attempt: z.number().int(),
    at: z.string().openapi({ description: 'ISO-8601, UTC' }),
    status_code: z.number().int().nullable(),
    error: z.string().nullable(),
    ok: z.boolean(),
  })
  .openapi('WebhookDelivery');

const IdParamsSchema = idParams();

const listRoute = createRoute({
  method: 'get',
  path: '/v1/webhooks',
  summary: 'Webhooks told of alert changes (admin); secrets are never listed',
  responses: {
    200: {
      description: 'Webhooks, oldest first',
      content: { 'application/json': { schema: z.object({ webhooks: z.array(WebhookSchema) }) } },
    },
  },
});

const createWebhookRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks',
  summary: 'Add a webhook (admin); its secret is in this response only',
  request: { body: { required: true, content: { 'application/json': { schema: NewWebhookSchema } } } },
  responses: {
    201: {
      description: 'Added',
      content: { 'application/json': { schema: WebhookSchema.extend({ secret: z.string() }) } },
    },
    400: { description: 'Bad URL or secret', content: errorContent },
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/v1/webhooks/{id}',
  summary: 'Remove a webhook (admin); its delivery log is kept',
  request: { params: IdParamsSchema },
  responses: {
    204: { description: 'Removed' },
    404: { description: 'No such webhook', content: errorContent },
  },
});

const deliveriesRoute = createRoute({
  method: 'get',
  path: '/v1/webhooks/{id}/deliveries',
  summary: "A webhook's delivery log (admin): every attempt with its status code or error, newest first",
  request: {
    params: IdParamsSchema,
    query: z.object({
      limit: z.coerce.number().int().min(0).max(1000).default(DEFAULT_DELIVERY_PAGE).openapi({ type: 'integer' }),
    }),
  },
  responses: {
    200: {
      description: 'Attempts',
      content: { 'application/json': { schema: z.object({ deliveries: z.array(DeliverySchema) }) } },
    },
    400: { description: 'Bad query parameter', content: errorContent },
  },
});

const webhookBody = (webhook: Webhook) => ({
  id: webhook.id,
  url: webhook.url,
  created_at: formatTimestamp(webhook.createdAt),
});

/** `GET|POST /v1/webhooks`, `DELETE /v1/webhooks/{id}`, `GET /v1/webhooks/{id}/deliveries`. */
export function webhooksRoutes(webhooks: WebhookStore, clock: Clock): OpenAPIHono {
  const router = newRouter();
  router.openapi(listRoute, async (c) => c.json({ webhooks: (await webhooks.listWebhooks()).map(webhookBody) }, 200));
  router.openapi(createWebhookRoute, async (c) => {
    const { url, secret } = c.req.valid('json');
    const webhook = await webhooks.addWebhook({
      url,
      secret: secret ?? randomBytes(32).toString('base64url'),
      createdAt: clock.now(),
    });
    return c.json({ ...webhookBody(webhook), secret: webhook.secret }, 201);
  });
  router.openapi(deleteRoute, async (c) => {
    await webhooks.deleteWebhook(c.req.valid('param').id);
    return c.body(null, 204);
  });
  router.openapi(deliveriesRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limit } = c.req.valid('query');
    const deliveries = await webhooks.listDeliveries({ webhookId: id, limit });
    return c.json(
      {
        deliveries: deliveries.map((delivery) => ({
          id: delivery.id,
          webhook_id: delivery.webhookId,
          delivery_id: delivery.deliveryId,
          event: delivery.event,
          alert_id: delivery.alertId,
          attempt: delivery.attempt,
          at: formatTimestamp(delivery.at),
          status_code: delivery.statusCode ?? null,
          error: delivery.error ?? null,
          ok: delivery.ok,
        })),
      },
      200,
    );
  });
  return router;
}
