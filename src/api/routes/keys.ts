import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { parseDuration, ROLES } from '../../core/api-keys.js';
import { formatTimestamp } from '../../core/time.js';
import { type ApiKeyStore, type ApiKeySummary, createApiKey } from '../../store/api-keys.js';
import { newRouter } from '../app.js';
import type { AppContext } from '../context.js';
import { idParams } from './path-params.js';
import { ErrorResponseSchema } from './readings.js';

const errorContent = { 'application/json': { schema: ErrorResponseSchema } };

const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: '3f9a0c1e7b2d4a68' }),
    name: z.string().openapi({ example: 'line-3 gateway' }),
    role: z.enum(ROLES),
    created_at: z.string().openapi({ description: 'ISO-8601, UTC' }),
    last_used_at: z.string().nullable(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi('ApiKey');

const CreateKeySchema = z
  .object({
    name: z.string().min(1).max(100).openapi({ example: 'line-3 gateway' }),
    role: z.enum(ROLES),
    expires_in: z.string().optional().openapi({ description: 'Lifetime such as 90d, 12h or 30m', example: '90d' }),
  })
  .openapi('CreateApiKey');

const KeyParamsSchema = idParams('3f9a0c1e7b2d4a68');

const listRoute = createRoute({
  method: 'get',
  path: '/v1/keys',
  summary: 'List API keys (admin)',
  responses: {
    200: {
      description: 'Every key, revoked ones included; never a secret',
      content: { 'application/json': { schema: z.object({ keys: z.array(ApiKeySchema) }) } },
    },
  },
});

const createKeyRoute = createRoute({
  method: 'post',
  path: '/v1/keys',
  summary: 'Create an API key (admin); the key is in this response only',
  request: { body: { required: true, content: { 'application/json': { schema: CreateKeySchema } } } },
  responses: {
    201: {
      description: 'Created',
      content: { 'application/json': { schema: ApiKeySchema.extend({ key: z.string() }) } },
    },
    400: { description: 'Bad name, role or lifetime', content: errorContent },
  },
});

const revokeRoute = createRoute({
  method: 'delete',
  path: '/v1/keys/{id}',
  summary: 'Revoke an API key (admin)',
  request: { params: KeyParamsSchema },
  responses: {
    200: { description: 'Revoked', content: { 'application/json': { schema: ApiKeySchema } } },
    404: { description: 'No such key', content: errorContent },
  },
});

const time = (ms: number | undefined) => (ms === undefined ? null : formatTimestamp(ms));

export function keyBody(key: ApiKeySummary) {
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    created_at: formatTimestamp(key.createdAt),
    last_used_at: time(key.lastUsedAt),
    expires_at: time(key.expiresAt),
    revoked_at: time(key.revokedAt),
  };
}

/** `GET /v1/keys`, `POST /v1/keys`, `DELETE /v1/keys/{id}`: key management, mounted only when authentication is on. */
/** `cache` forgets a revoked key at once, so the revocation holds on the next request. */
export function keysRoutes(ctx: AppContext, keys: ApiKeyStore, cache: { forget(id: string): void }): OpenAPIHono {
  const router = newRouter();
  router.openapi(listRoute, async (c) => c.json({ keys: (await keys.list()).map(keyBody) }, 200));
  router.openapi(createKeyRoute, async (c) => {
    const { name, role, expires_in } = c.req.valid('json');
    const createdAt = ctx.clock.now();
    const expiresAt = expires_in === undefined ? undefined : createdAt + parseDuration(expires_in, 'expires_in');
    const { key, summary } = await createApiKey(keys, { name, role, createdAt, expiresAt });
    return c.json({ ...keyBody(summary), key }, 201);
  });
  router.openapi(revokeRoute, async (c) => {
    const { id } = c.req.valid('param');
    const summary = await keys.revoke(id, ctx.clock.now());
    cache.forget(id);
    return c.json(keyBody(summary), 200);
  });
  return router;
}
