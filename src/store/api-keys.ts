import { generateKey, parseRole, type Role } from '../core/api-keys.js';
import { describeValue, NotFoundError, ValidationError } from '../core/errors.js';

/** An API key as listed: never its secret nor the secret's hash. Times are epoch ms. */
export interface ApiKeySummary {
  id: string;
  name: string;
  role: Role;
  createdAt: number;
  lastUsedAt?: number;
  expiresAt?: number;
  revokedAt?: number;
}

/** An API key as stored: the summary plus the salt and sha256 of its secret. */
export interface ApiKeyRecord extends ApiKeySummary {
  salt: string;
  hash: string;
}

export interface NewApiKey {
  name: string;
  role: Role;
  createdAt: number;
  expiresAt?: number;
}

/** Where API keys are kept (the server's database). Secrets are never stored, only their salted hashes. */
export interface ApiKeyStore {
  insert(record: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** Every key, revoked ones included, oldest first. */
  list(): Promise<ApiKeySummary[]>;
  /** Marks the key revoked at `at` (revoking twice keeps the first time); NotFoundError for an unknown id. */
  revoke(id: string, at: number): Promise<ApiKeySummary>;
  /** Records a use of the key. */
  touch(id: string, at: number): Promise<void>;
  /** Keys neither revoked nor expired at `now`. */
  countUsable(now: number): Promise<number>;
}

export const MAX_KEY_NAME_LENGTH = 100;

export function unknownKey(id: string): NotFoundError {
  return new NotFoundError(`unknown API key ${describeValue(id)}`, [{ path: 'id', message: 'no such API key' }]);
}

export function summaryOf(record: ApiKeyRecord): ApiKeySummary {
  const { salt: _salt, hash: _hash, ...summary } = record;
  return summary;
}

/** Whether the key may be used at `now`. */
export function isUsable(key: ApiKeySummary, now: number): boolean {
  return key.revokedAt === undefined && (key.expiresAt === undefined || key.expiresAt > now);
}

/**
 * Makes a key, stores its hash and returns the plaintext: the only time it is ever available.
 * `random` is injectable for tests.
 */
export async function createApiKey(
  store: ApiKeyStore,
  input: NewApiKey,
  random?: (size: number) => Buffer,
): Promise<{ key: string; summary: ApiKeySummary }> {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length === 0 || name.length > MAX_KEY_NAME_LENGTH) {
    throw new ValidationError(
      `'name' must be 1 to ${MAX_KEY_NAME_LENGTH} characters, got ${describeValue(input.name)}`,
      [{ path: 'name', message: `must be 1 to ${MAX_KEY_NAME_LENGTH} characters` }],
    );
  }
  const role = parseRole(input.role);
  if (input.expiresAt !== undefined && !(Number.isFinite(input.expiresAt) && input.expiresAt > input.createdAt)) {
    throw new ValidationError(`'expiresAt' must be after the creation time, got ${describeValue(input.expiresAt)}`, [
      { path: 'expiresAt', message: 'must be after the creation time' },
    ]);
  }
  const secret = generateKey(random);
  const record: ApiKeyRecord = {
    id: secret.id,
    name,
    role,
    createdAt: input.createdAt,
    ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
    salt: secret.salt,
    hash: secret.hash,
  };
  await store.insert(record);
  return { key: secret.plaintext, summary: summaryOf(record) };
}

/** Keys in memory: for tests and for servers whose keys are configured at start. */
export class MemoryApiKeyStore implements ApiKeyStore {
  private readonly records = new Map<string, ApiKeyRecord>();

  async insert(record: ApiKeyRecord): Promise<void> {
    if (this.records.has(record.id)) throw new ValidationError(`API key id ${describeValue(record.id)} already exists`);
    this.records.set(record.id, { ...record });
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const record = this.records.get(id);
    return record && { ...record };
  }

  async list(): Promise<ApiKeySummary[]> {
    return [...this.records.values()].sort((a, b) => a.createdAt - b.createdAt).map(summaryOf);
  }

  async revoke(id: string, at: number): Promise<ApiKeySummary> {
    const record = this.records.get(id);
    if (!record) throw unknownKey(id);
    record.revokedAt ??= at;
    return summaryOf(record);
  }

  async touch(id: string, at: number): Promise<void> {
    const record = this.records.get(id);
    if (record) record.lastUsedAt = Math.max(record.lastUsedAt ?? at, at);
  }

  async countUsable(now: number): Promise<number> {
    let count = 0;
    for (const record of this.records.values()) if (isUsable(record, now)) count++;
    return count;
  }
}
