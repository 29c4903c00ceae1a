import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { describeValue, ValidationError } from './errors.js';

/**
 * Roles an API key can carry. `read` ⊂ `operate` ⊂ `admin`; `ingest` is apart (it may only send readings and
 * score batches), and `admin` may do everything, ingestion included.
 */
export const ROLES = ['ingest', 'read', 'operate', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a route needs: `ingest` (store readings), `score` (stateless batch scoring, any key), `read` (look at
 * anything but keys), `operate` (train, promote, run jobs, acknowledge alerts), `admin` (keys, alert rules).
 */
export type Permission = 'ingest' | 'score' | 'read' | 'operate' | 'admin';

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  ingest: new Set<Permission>(['ingest', 'score']),
  read: new Set<Permission>(['score', 'read']),
  operate: new Set<Permission>(['score', 'read', 'operate']),
  admin: new Set<Permission>(['ingest', 'score', 'read', 'operate', 'admin']),
};

/** Whether a key of `role` may do what `permission` guards. */
export function roleAllows(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Checks a role given by a user (flag or request field named `field`). */
export function parseRole(value: unknown, field = 'role'): Role {
  if (isRole(value)) return value;
  throw new ValidationError(`'${field}' must be one of ${ROLES.join(', ')}, got ${describeValue(value)}`, [
    { path: field, message: `must be one of ${ROLES.join(', ')}` },
  ]);
}

/** Prefix of every key, so that leaked keys are easy to recognise (secret scanners, logs). */
export const KEY_PREFIX = 'upk';
const KEY_PATTERN = /^upk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A freshly made key: `plaintext` is shown once to its owner; only `id`, `salt` and `hash` are kept. */
export interface NewKeySecret {
  id: string;
  plaintext: string;
  salt: string;
  hash: string;
}

/** sha256(salt ‖ secret) as hex: what is stored instead of the secret. */
export function hashSecret(salt: string, secret: string): string {
  return createHash('sha256').update(salt).update(secret).digest('hex');
}

/**
 * Makes a key `upk_<id>_<secret>`: a 64-bit id (public, used to find the record) and a 256-bit secret, stored
 * only as a salted sha256. With 256 random bits a slow password hash buys nothing; the salt keeps equal secrets
 * from hashing alike across databases.
 */
export function generateKey(random: (size: number) => Buffer = randomBytes): NewKeySecret {
  const id = random(8).toString('hex');
  const secret = random(32).toString('base64url');
  const salt = random(16).toString('hex');
  return { id, plaintext: `${KEY_PREFIX}_${id}_${secret}`, salt, hash: hashSecret(salt, secret) };
}

/** Splits a presented key into id and secret; undefined when it does not have the shape of an Upkeep key. */
export function parseKey(presented: string): { id: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(presented.trim());
  return match ? { id: match[1] as string, secret: match[2] as string } : undefined;
}

/** Compares a presented secret with a stored salted hash in constant time. */
export function secretMatches(secret: string, salt: string, hash: string): boolean {
  const expected = Buffer.from(hash, 'hex');
  const actual = Buffer.from(hashSecret(salt, secret), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Parses a lifetime such as `90d`, `12h`, `30m` or `45s` into milliseconds. */
export function parseDuration(value: string, field = 'expires'): number {
  const match = /^(\d+)\s*(s|m|h|d|w)$/.exec(value.trim());
  const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  const amount = match ? Number(match[1]) : Number.NaN;
  if (!match || !(amount > 0)) {
    throw new ValidationError(`'${field}' must be a duration such as 30d, 12h or 15m, got ${describeValue(value)}`, [
      { path: field, message: 'must be a positive number followed by s, m, h, d or w' },
    ]);
  }
  return amount * (units[match[2] as string] as number);
}
