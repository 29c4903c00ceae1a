import type { Command } from 'commander';
import {
  ALERT_SEVERITIES,
  ALERT_STATES,
  type Alert,
  type AlertSeverity,
  type AlertState,
  alertJson,
} from '../../core/alert.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { describeValue, ValidationError } from '../../core/errors.js';
import { formatTimestamp } from '../../core/time.js';
import { acknowledge, resolve } from '../../scoring/alert-lifecycle.js';
import { NotifyingAlertStore } from '../../scoring/notifiers/notifying-alerts.js';
import { WebhookNotifier } from '../../scoring/notifiers/webhook.js';
import { type AlertStores, openAlertStores } from '../../store/open-alerts.js';
import {
  action,
  DEFAULT_DB,
  formatTable,
  integerOption,
  type Output,
  openCliStore,
  printJson,
  printLine,
} from '../run.js';

export interface AlertsListOptions {
  db: string;
  state?: string;
  asset?: string;
  severity?: string;
  limit: number;
  json?: boolean;
}

export interface AlertActionOptions {
  db: string;
  by: string;
  comment?: string;
  json?: boolean;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ValidationError(`${flag} must be one of ${allowed.join(', ')}, got ${describeValue(value)}`, [
    { path: flag.replace(/^--/, ''), message: `must be one of ${allowed.join(', ')}` },
  ]);
}

/** A table of alerts for people: id, state, severity, asset, opened, message. */
export function formatAlertTable(alerts: readonly Alert[]): string[] {
  if (alerts.length === 0) return ['no alerts'];
  const rows = [['ID', 'STATE', 'SEVERITY', 'ASSET', 'OPENED', 'MESSAGE']];
  for (const alert of alerts) {
    rows.push([alert.id, alert.state, alert.severity, alert.asset, formatTimestamp(alert.openedAt), alert.message]);
  }
  return formatTable(rows);
}

async function withAlerts<T>(db: string, task: (stores: AlertStores) => Promise<T>): Promise<T> {
  const store = await openCliStore(db);
  try {
    return await task(await openAlertStores(store));
  } finally {
    await store.close();
  }
}

export async function runAlertsList(options: AlertsListOptions, output?: Output): Promise<void> {
  const state = oneOf<AlertState>(options.state, ALERT_STATES, '--state');
  const severity = oneOf<AlertSeverity>(options.severity, ALERT_SEVERITIES, '--severity');
  const alerts = await withAlerts(options.db, ({ alerts }) =>
    alerts.list({
      ...(state ? { state } : {}),
      ...(severity ? { severity } : {}),
      ...(options.asset !== undefined ? { asset: options.asset } : {}),
      limit: options.limit,
    }),
  );
  if (options.json) {
    printJson({ alerts: alerts.map(alertJson) }, output);
    return;
  }
  for (const line of formatAlertTable(alerts)) printLine(line, output);
}

/**
 * Acknowledges or resolves an alert in the database, then tells the stored webhooks (waiting for their deliveries,
 * retries included, before returning).
 */
export async function runAlertAction(
  verb: 'ack' | 'resolve',
  id: string,
  options: AlertActionOptions,
  output?: Output,
  clock: Clock = systemClock,
): Promise<Alert> {
  const changed = await withAlerts(options.db, async (stores) => {
    const notifier = new WebhookNotifier({ store: stores.webhooks, clock, baseDelayMs: 500, maxAttempts: 4 });
    const alerts = new NotifyingAlertStore(stores.alerts, notifier);
    const done = { by: options.by, at: clock.now(), comment: options.comment ?? '' };
    const current = await alerts.get(id);
    const next = verb === 'ack' ? acknowledge(current, done) : resolve(current, done);
    await alerts.update(next);
    await notifier.idle();
    return next;
  });
  if (options.json) printJson(alertJson(changed), output);
  else printLine(`alert ${changed.id} (${changed.asset}) is ${changed.state} by ${options.by}`, output);
  return changed;
}

const DB_HELP = 'the database the server uses: DuckDB file or postgres://… URL';

export function registerAlerts(program: Command): Command {
  const alerts = program
    .command('alerts')
    .description('list, acknowledge and resolve alerts in the --db database (the same tables the server uses)');
  alerts
    .command('list')
    .description('alerts, newest first')
    .option('--state <state>', `only this state: ${ALERT_STATES.join(', ')}`)
    .option('--asset <id>', 'only this asset')
    .option('--severity <severity>', `only this severity: ${ALERT_SEVERITIES.join(', ')}`)
    .option('--limit <n>', 'most alerts shown', integerOption('--limit', 0, 100_000), 100)
    .option('--db <path>', DB_HELP, DEFAULT_DB)
    .option('--json', 'print one JSON object')
    .action(action((options: AlertsListOptions) => runAlertsList(options)));
  for (const [verb, description] of [
    ['ack', 'acknowledge an open alert: someone is on it'],
    ['resolve', 'resolve an open or acknowledged alert'],
  ] as const) {
    alerts
      .command(verb)
      .description(description)
      .argument('<id>', 'the alert id (as listed)')
      .requiredOption('--by <name>', 'who acts')
      .option('--comment <text>', 'why, or what was done', '')
      .option('--db <path>', DB_HELP, DEFAULT_DB)
      .option('--json', 'print the alert as JSON')
      .action(
        action(async (id: string, options: AlertActionOptions) => {
          await runAlertAction(verb, id, options);
        }),
      );
  }
  return alerts;
}
