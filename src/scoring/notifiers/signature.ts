import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Upkeep-Signature';
export const TIMESTAMP_HEADER = 'X-Upkeep-Timestamp';

/** How far a delivery's timestamp may be from the receiver's clock before it is taken for a replay: 5 minutes. */
export const DEFAULT_TOLERANCE_MS = 5 * 60 * 1000;

/** `sha256=<hex>`: HMAC-SHA256 of the raw body with the webhook's secret. */
export function signBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * What a receiver does with a delivery: the signature header must match the body's HMAC (compared in constant
 * time), the timestamp header must be within `toleranceMs` of `now`, and equal the body's `timestamp` (which the
 * signature covers, so an old body cannot be replayed under a fresh header).
 */
export function verifyDelivery(
  secret: string,
  body: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  now: number,
  toleranceMs = DEFAULT_TOLERANCE_MS,
): SignatureCheck {
  if (!headers.signature) return { ok: false, reason: `missing ${SIGNATURE_HEADER}` };
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(headers.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'signature does not match the body' };
  }
  const seconds = Number(headers.timestamp);
  if (!headers.timestamp || !Number.isInteger(seconds)) return { ok: false, reason: `missing ${TIMESTAMP_HEADER}` };
  if (Math.abs(now - seconds * 1000) > toleranceMs) return { ok: false, reason: 'timestamp outside the tolerance' };
  let inBody: unknown;
  try {
    inBody = (JSON.parse(body) as { timestamp?: unknown }).timestamp;
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (inBody !== seconds) return { ok: false, reason: 'timestamp header differs from the signed body' };
  return { ok: true };
}
