/**
 * Engine-neutral pieces of the API key stores: the decoding of a stored key, the values an insert binds and the
 * error for an id already taken. The DuckDB and PostgreSQL key stores both call these.
 */
import { isRole, type Role } from '../core/api-keys.js';
import { describeValue, ValidationError } from '../core/errors.js';
import type { ApiKeyRecord } from './api-keys.js';

/** A stored key as the engines read it back: times as epoch ms, null when unset. */
export interface KeyRow {
  id: string;
  name: string;
  role: string;
  salt: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
}

export function recordOf(row: KeyRow): ApiKeyRecord {
  const record: ApiKeyRecord = {
    id: row.id,
    name: row.name,
    // A role written by another version and unknown here grants nothing beyond reading.
    role: (isRole(row.role) ? row.role : 'read') as Role,
    salt: row.salt,
    hash: row.hash,
    createdAt: Math.round(row.created_at),
  };
  if (row.last_used_at !== null) record.lastUsedAt = Math.round(row.last_used_at);
  if (row.expires_at !== null) record.expiresAt = Math.round(row.expires_at);
  if (row.revoked_at !== null) record.revokedAt = Math.round(row.revoked_at);
  return record;
}

/** The seven values an insert binds: id, name, role, salt, hash, then creation and expiry as whole epoch ms. */
export function keyInsertValues(record: ApiKeyRecord): (string | number | null)[] {
  return [
    record.id,
    record.name,
    record.role,
    record.salt,
    record.hash,
    Math.round(record.createdAt),
    record.expiresAt === undefined ? null : Math.round(record.expiresAt),
  ];
}

export function duplicateKey(id: string): ValidationError {
  return new ValidationError(`API key id ${describeValue(id)} already exists`);
}
