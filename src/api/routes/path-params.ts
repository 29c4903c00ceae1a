import { z } from '@hono/zod-openapi';

/** The `{id}` path parameter of a resource route: a non-empty string, documented with an example when given. */
export function idParams(example?: string) {
  return z.object({
    id: z
      .string()
      .min(1)
      .openapi(
        example === undefined ? { param: { name: 'id', in: 'path' } } : { param: { name: 'id', in: 'path' }, example },
      ),
  });
}
