import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { formatTimestamp } from '../../core/time.js';
import { DEFAULT_DEAD_LETTER_PAGE, type DeadLetter, type DeadLetterStore } from '../../store/dead-letters.js';
import { newRouter } from '../app.js';
import { ErrorResponseSchema } from './readings.js';

export const MAX_DEAD_LETTER_PAGE = 1000;

const errorContent = { 'application/json': { schema: ErrorResponseSchema } };

export const DeadLetterSchema = z
  .object({
    id: z.number().int(),
    received_at: z.string().openapi({ description: 'ISO-8601, UTC' }),
    source: z.string().openapi({ example: 'mqtt' }),
    topic: z.string().openapi({ example: 'upkeep/pump-01/telemetry' }),
    reason: z.string().openapi({ example: 'invalid JSON: Unexpected token \'o\', "not json" is not valid JSON' }),
    payload: z.string().openapi({ description: 'The message as received: UTF-8 text, or base64 when not valid UTF-8' }),
    payload_encoding: z.enum(['utf8', 'base64']),
  })
  .openapi('DeadLetter');

const listRoute = createRoute({
  method: 'get',
  path: '/v1/dead-letters',
  summary: 'Messages rejected by the stream sources (bad JSON, invalid readings), newest first',
  request: {
    query: z.object({
      limit: z.coerce
        .number()
        .int()
        .min(0)
        .max(MAX_DEAD_LETTER_PAGE)
        .default(DEFAULT_DEAD_LETTER_PAGE)
        .openapi({ type: 'integer' }),
    }),
  },
  responses: {
    200: {
      description: 'Dead letters and how many there are in all',
      content: {
        'application/json': {
          schema: z
            .object({ total: z.number().int(), dead_letters: z.array(DeadLetterSchema) })
            .openapi('DeadLetterList'),
        },
      },
    },
    400: { description: 'Bad query parameter', content: errorContent },
  },
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A dead letter as the API shows it. */
export function deadLetterBody(letter: DeadLetter) {
  let payload: string;
  let encoding: 'utf8' | 'base64' = 'utf8';
  try {
    payload = utf8.decode(letter.payload);
  } catch {
    payload = Buffer.from(letter.payload).toString('base64');
    encoding = 'base64';
  }
  return {
    id: letter.id,
    received_at: formatTimestamp(letter.receivedAt),
    source: letter.source,
    topic: letter.topic,
    reason: letter.reason,
    payload,
    payload_encoding: encoding,
  };
}

/** `GET /v1/dead-letters`. */
export function deadLettersRoutes(deadLetters: DeadLetterStore): OpenAPIHono {
  const router = newRouter();
  router.openapi(listRoute, async (c) => {
    const { limit } = c.req.valid('query');
    const [total, letters] = await Promise.all([deadLetters.count(), deadLetters.list({ limit })]);
    return c.json({ total, dead_letters: letters.map(deadLetterBody) }, 200);
  });
  return router;
}
