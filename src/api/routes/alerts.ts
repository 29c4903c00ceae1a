import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ALERT_SEVERITIES, ALERT_STATES, type AlertRule, alertJson, CONDITION_KINDS } from '../../core/alert.js';
import type { Clock } from '../../core/clock.js';
import { ValidationError } from '../../core/errors.js';
import { acknowledge, resolve } from '../../scoring/alert-lifecycle.js';
import { validateRule } from '../../scoring/alert-rules.js';
import { type AlertStore, DEFAULT_ALERT_PAGE, type NewAlertRule } from '../../store/alerts.js';
import { newRouter } from '../app.js';
import { idParams } from './path-params.js';
import { ErrorResponseSchema } from './readings.js';

export const MAX_ALERT_PAGE = 1000;

const errorContent = { 'application/json': { schema: ErrorResponseSchema } };

const ActionSchema = z
  .object({
    by: z.string(),
    at: z.string().openapi({ description: 'ISO-8601, UTC' }),
    comment: z.string(),
  })
  .openapi('AlertAction');

export const AlertSchema = z
  .object({
    id: z.string().openapi({ example: '42' }),
    rule_id: z.string(),
    asset: z.string().openapi({ example: 'pump-01' }),
    severity: z.enum(ALERT_SEVERITIES),
    state: z.enum(ALERT_STATES),
    message: z.string().openapi({ example: 'pump-01: temperature = 91.2 above 80 (bearing hot)' }),
    value: z.number().openapi({ description: "The signal's value when the alert opened" }),
    opened_at: z.string().openapi({ description: 'ISO-8601, UTC' }),
    acknowledged: ActionSchema.nullable(),
    resolved: ActionSchema.nullable(),
    resolution: z.enum(['manual', 'auto']).nullable(),
  })
  .openapi('Alert');

const ConditionSchema = z
  .object({
    kind: z.enum(CONDITION_KINDS),
    metric: z.string().min(1).optional().openapi({ description: 'For the metric and anomaly-likelihood kinds' }),
    threshold: z.number().openapi({ description: 'Opens strictly beyond this value' }),
    clear: z.number().openapi({ description: 'Closes at or back past this value (hysteresis)' }),
  })
  .openapi('AlertCondition');

const NewRuleSchema = z
  .object({
    name: z.string().min(1).max(200),
    asset: z.string().min(1).optional().openapi({ description: 'Only this asset; every asset when absent' }),
    condition: ConditionSchema,
    severity: z.enum(ALERT_SEVERITIES),
    for_ms: z.number().int().min(0).default(0).openapi({ description: 'How long the condition must hold to open' }),
    clear_for_ms: z
      .number()
      .int()
      .min(0)
      .default(0)
      .openapi({ description: 'How long it must be clear before the alert resolves on its own' }),
  })
  .openapi('NewAlertRule');

export const AlertRuleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    asset: z.string().nullable(),
    condition: ConditionSchema,
    severity: z.enum(ALERT_SEVERITIES),
    for_ms: z.number().int(),
    clear_for_ms: z.number().int(),
  })
  .openapi('AlertRule');

const ActionRequestSchema = z
  .object({
    by: z.string().trim().min(1).max(200).optional().openapi({ description: "Who acts; the API key's name if absent" }),
    comment: z.string().max(2000).default(''),
  })
  .openapi('AlertActionRequest');

const IdParamsSchema = idParams();

const listRoute = createRoute({
  method: 'get',
  path: '/v1/alerts',
  summary: 'Alerts, newest first, filtered by state, asset and severity',
  request: {
    query: z.object({
      state: z.enum(ALERT_STATES).optional(),
      asset: z.string().min(1).optional(),
      severity: z.enum(ALERT_SEVERITIES).optional(),
      limit: z.coerce
        .number()
        .int()
        .min(0)
        .max(MAX_ALERT_PAGE)
        .default(DEFAULT_ALERT_PAGE)
        .openapi({ type: 'integer' }),
    }),
  },
  responses: {
    200: {
      description: 'Alerts',
      content: { 'application/json': { schema: z.object({ alerts: z.array(AlertSchema) }).openapi('AlertList') } },
    },
    400: { description: 'Bad query parameter', content: errorContent },
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/alerts/{id}',
  summary: 'One alert with its acknowledgement and resolution',
  request: { params: IdParamsSchema },
  responses: {
    200: { description: 'The alert', content: { 'application/json': { schema: AlertSchema } } },
    404: { description: 'Unknown alert', content: errorContent },
  },
});

function actionRoute(verb: 'ack' | 'resolve', summary: string) {
  return createRoute({
    method: 'post',
    path: `/v1/alerts/{id}/${verb}`,
    summary,
    request: {
      params: IdParamsSchema,
      body: { required: true, content: { 'application/json': { schema: ActionRequestSchema } } },
    },
    responses: {
      200: { description: 'The alert after the change', content: { 'application/json': { schema: AlertSchema } } },
      400: { description: 'Malformed body (field named)', content: errorContent },
      404: { description: 'Unknown alert', content: errorContent },
      409: { description: 'The alert is not in a state that allows this', content: errorContent },
    },
  });
}

const ackRoute = actionRoute('ack', 'Acknowledge an open alert: someone is on it');
const resolveRoute = actionRoute('resolve', 'Resolve an open or acknowledged alert');

const listRulesRoute = createRoute({
  method: 'get',
  path: '/v1/alert-rules',
  summary: 'The rules that open alerts',
  responses: {
    200: {
      description: 'Rules, oldest first',
      content: {
        'application/json': { schema: z.object({ rules: z.array(AlertRuleSchema) }).openapi('AlertRuleList') },
      },
    },
  },
});

const createRuleRoute = createRoute({
  method: 'post',
  path: '/v1/alert-rules',
  summary: 'Add a rule: a condition with hysteresis, a severity and how long it must hold',
  request: { body: { required: true, content: { 'application/json': { schema: NewRuleSchema } } } },
  responses: {
    201: { description: 'The rule', content: { 'application/json': { schema: AlertRuleSchema } } },
    400: { description: 'Malformed or inconsistent rule (field named)', content: errorContent },
  },
});

const updateRuleRoute = createRoute({
  method: 'put',
  path: '/v1/alert-rules/{id}',
  summary: "Replace a rule's definition (admin); its id and its alerts are kept",
  request: {
    params: IdParamsSchema,
    body: { required: true, content: { 'application/json': { schema: NewRuleSchema } } },
  },
  responses: {
    200: { description: 'The rule', content: { 'application/json': { schema: AlertRuleSchema } } },
    400: { description: 'Malformed or inconsistent rule (field named)', content: errorContent },
    404: { description: 'Unknown rule', content: errorContent },
  },
});

const deleteRuleRoute = createRoute({
  method: 'delete',
  path: '/v1/alert-rules/{id}',
  summary: 'Remove a rule; its alerts are kept',
  request: { params: IdParamsSchema },
  responses: {
    204: { description: 'Removed' },
    404: { description: 'Unknown rule', content: errorContent },
  },
});

/** An alert as the API shows it. */
export const alertBody = alertJson;

/** A rule as the API shows it. */
export function ruleBody(rule: AlertRule) {
  return {
    id: rule.id,
    name: rule.name,
    asset: rule.asset ?? null,
    condition: rule.condition,
    severity: rule.severity,
    for_ms: rule.forMs,
    clear_for_ms: rule.clearForMs,
  };
}

function ruleDraft(body: z.infer<typeof NewRuleSchema>): NewAlertRule {
  return {
    name: body.name,
    ...(body.asset !== undefined ? { asset: body.asset } : {}),
    condition: body.condition,
    severity: body.severity,
    forMs: body.for_ms,
    clearForMs: body.clear_for_ms,
  };
}

function actor(by: string | undefined, keyName: string | undefined): string {
  const who = by ?? keyName;
  if (who === undefined) {
    throw new ValidationError('by: name who acts (required when the request carries no API key)', [
      { path: 'by', message: 'by: required' },
    ]);
  }
  return who;
}

/** Alerts (list, one, acknowledge, resolve) and alert rules (list, add, remove). */
export function alertsRoutes(alerts: AlertStore, clock: Clock): OpenAPIHono {
  const router = newRouter();

  router.openapi(listRoute, async (c) => {
    const query = c.req.valid('query');
    return c.json({ alerts: (await alerts.list(query)).map(alertBody) }, 200);
  });

  router.openapi(getRoute, async (c) => c.json(alertBody(await alerts.get(c.req.valid('param').id)), 200));

  router.openapi(ackRoute, async (c) => {
    const { by, comment } = c.req.valid('json');
    const who = actor(by, c.get('apiKey')?.name);
    const alert = acknowledge(await alerts.get(c.req.valid('param').id), { by: who, at: clock.now(), comment });
    await alerts.update(alert);
    return c.json(alertBody(alert), 200);
  });

  router.openapi(resolveRoute, async (c) => {
    const { by, comment } = c.req.valid('json');
    const who = actor(by, c.get('apiKey')?.name);
    const alert = resolve(await alerts.get(c.req.valid('param').id), { by: who, at: clock.now(), comment });
    await alerts.update(alert);
    return c.json(alertBody(alert), 200);
  });

  router.openapi(listRulesRoute, async (c) => c.json({ rules: (await alerts.listRules()).map(ruleBody) }, 200));

  router.openapi(createRuleRoute, async (c) => {
    const draft = ruleDraft(c.req.valid('json'));
    validateRule({ id: '', ...draft });
    return c.json(ruleBody(await alerts.addRule(draft)), 201);
  });

  router.openapi(updateRuleRoute, async (c) => {
    const rule = { id: c.req.valid('param').id, ...ruleDraft(c.req.valid('json')) };
    validateRule(rule);
    return c.json(ruleBody(await alerts.updateRule(rule)), 200);
  });

  router.openapi(deleteRuleRoute, async (c) => {
    await alerts.deleteRule(c.req.valid('param').id);
    return c.body(null, 204);
  });

  return router;
}
