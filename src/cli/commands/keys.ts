import type { Command } from 'commander';
import { parseDuration, parseRole, ROLES } from '../../core/api-keys.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { formatTimestamp } from '../../core/time.js';
import { type ApiKeySummary, createApiKey, isUsable } from '../../store/api-keys.js';
import { openApiKeyStore } from '../../store/open-api-keys.js';
import { action, DEFAULT_DB, formatTable, type Output, openCliStore, printJson, printLine } from '../run.js';

export interface KeysCreateOptions {
  name?: string;
  label?: string;
  role: string;
  expires?: string;
  db: string;
  json?: boolean;
}

export interface KeysListOptions {
  db: string;
  json?: boolean;
}

const time = (ms: number | undefined) => (ms === undefined ? null : formatTimestamp(ms));

/** A key as `--json` prints it (never its secret). */
export function keyJson(key: ApiKeySummary) {
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

function state(key: ApiKeySummary, now: number): string {
  if (key.revokedAt !== undefined) return `revoked ${formatTimestamp(key.revokedAt)}`;
  if (!isUsable(key, now)) return `expired ${formatTimestamp(key.expiresAt ?? now)}`;
  return 'active';
}

/** A table of keys for people: id, role, name, state, last use. */
export function formatKeyTable(keys: ApiKeySummary[], now: number): string[] {
  if (keys.length === 0) return ['no API keys: create one with `upkeep keys create --name NAME --role admin`'];
  const rows = [['ID', 'ROLE', 'NAME', 'STATE', 'LAST USED']];
  for (const key of keys) {
    rows.push([key.id, key.role, key.name, state(key, now), key.lastUsedAt ? formatTimestamp(key.lastUsedAt) : '-']);
  }
  return formatTable(rows);
}

async function withKeys<T>(db: string, task: (keys: Awaited<ReturnType<typeof openApiKeyStore>>) => Promise<T>) {
  const store = await openCliStore(db);
  try {
    return await task(await openApiKeyStore(store));
  } finally {
    await store.close();
  }
}

export async function runKeysCreate(options: KeysCreateOptions, output?: Output, clock: Clock = systemClock) {
  const role = parseRole(options.role);
  const name = options.name ?? options.label ?? role;
  const createdAt = clock.now();
  const expiresAt = options.expires === undefined ? undefined : createdAt + parseDuration(options.expires);
  const { key, summary } = await withKeys(options.db, (keys) =>
    createApiKey(keys, { name, role, createdAt, expiresAt }),
  );
  if (options.json) {
    printJson({ key, ...keyJson(summary) }, output);
    return;
  }
  printLine(key, output);
  printLine(
    `created API key ${summary.id} (${role}, "${summary.name}"${expiresAt ? `, expires ${formatTimestamp(expiresAt)}` : ''}): ` +
      'it is shown only this once; send it as `Authorization: Bearer <key>`',
    output,
  );
}

export async function runKeysList(options: KeysListOptions, output?: Output, clock: Clock = systemClock) {
  const keys = await withKeys(options.db, (store) => store.list());
  if (options.json) {
    printJson({ keys: keys.map(keyJson) }, output);
    return;
  }
  for (const line of formatKeyTable(keys, clock.now())) printLine(line, output);
}

export async function runKeysRevoke(id: string, options: KeysListOptions, output?: Output, clock: Clock = systemClock) {
  const summary = await withKeys(options.db, (keys) => keys.revoke(id, clock.now()));
  if (options.json) {
    printJson(keyJson(summary), output);
    return;
  }
  printLine(`revoked API key ${summary.id} (${summary.role}, "${summary.name}")`, output);
}

export function registerKeys(program: Command): Command {
  const keys = program.command('keys').description('manage API keys (stored as salted hashes in the --db database)');
  keys
    .command('create')
    .description('create an API key and print it (shown only once)')
    .requiredOption('--role <role>', `what the key may do: ${ROLES.join(', ')}`)
    .option('--name <name>', 'who or what uses the key (default: the role)')
    .option('--label <name>', 'same as --name')
    .option('--expires <duration>', 'lifetime such as 90d, 12h or 30m (default: never)')
    .option('--db <path>', 'the database the server uses: DuckDB file or postgres://… URL', DEFAULT_DB)
    .option('--json', 'print {"key", "id", …} instead of lines')
    .action(action((options: KeysCreateOptions) => runKeysCreate(options)));
  keys
    .command('list')
    .description('list API keys (never their secrets)')
    .option('--db <path>', 'the database the server uses: DuckDB file or postgres://… URL', DEFAULT_DB)
    .option('--json', 'print one JSON object')
    .action(action((options: KeysListOptions) => runKeysList(options)));
  keys
    .command('revoke')
    .description('revoke an API key by id')
    .argument('<id>', 'the key id (as listed)')
    .option('--db <path>', 'the database the server uses: DuckDB file or postgres://… URL', DEFAULT_DB)
    .option('--json', 'print one JSON object')
    .action(action((id: string, options: KeysListOptions) => runKeysRevoke(id, options)));
  return keys;
}
