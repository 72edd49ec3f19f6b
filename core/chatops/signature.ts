import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack request signing (test/fixtures/slack-facts.md §2): `X-Slack-Signature` is `v0=` and the hex
 * HMAC-SHA256, keyed with the app's signing secret, of `v0:{X-Slack-Request-Timestamp}:{raw body}`.
 * The raw body is the exact bytes received — a Lambda body that arrives base64-encoded is decoded
 * to bytes, never through a text encoding that could change them — and the signature is compared in
 * constant time. Requests whose timestamp is more than five minutes from now are refused, and the
 * caller refuses a replay of an accepted one (`replayKey`, decision D34).
 */

/** How far a request's timestamp may be from now, either way. */
export const MAX_REQUEST_AGE_SECONDS = 300;

/** Why a request was refused; logged and counted, never sent back (the answer is a bare 401). */
export type SignatureRejection =
  /** No signature or timestamp header. */
  | 'missing'
  /** A header that is not `v0=<64 hex>` or not a whole number of seconds. */
  | 'malformed'
  /** Timestamp more than five minutes before or after now. */
  | 'stale'
  /** The HMAC does not match: a forged or altered request, or the wrong signing secret. */
  | 'mismatch';

export type SignatureVerdict = { ok: true; timestamp: number } | { ok: false; reason: SignatureRejection };

export interface SignedRequest {
  /** `X-Slack-Signature`. */
  signature: string | undefined;
  /** `X-Slack-Request-Timestamp`. */
  timestamp: string | undefined;
  /** The body exactly as received. */
  rawBody: Uint8Array;
}

const SIGNATURE = /^v0=([0-9a-f]{64})$/;
const TIMESTAMP = /^\d{1,12}$/;

/** Verifies a request's signature and age; `nowSeconds` is the receiver's clock. */
export function verifySlackSignature(
  request: SignedRequest,
  signingSecret: string,
  nowSeconds: number,
): SignatureVerdict {
  const { signature, timestamp } = request;
  if (signature === undefined || signature === '' || timestamp === undefined || timestamp === '') {
    return { ok: false, reason: 'missing' };
  }
  const hex = SIGNATURE.exec(signature)?.[1];
  if (hex === undefined || !TIMESTAMP.test(timestamp)) return { ok: false, reason: 'malformed' };
  const seconds = Number(timestamp);
  // Checked before the HMAC: a stale request is refused whatever it carries.
  if (Math.abs(nowSeconds - seconds) > MAX_REQUEST_AGE_SECONDS) return { ok: false, reason: 'stale' };
  const expected = signatureDigest(signingSecret, timestamp, request.rawBody);
  const received = Buffer.from(hex, 'hex');
  if (!timingSafeEqual(received, expected)) return { ok: false, reason: 'mismatch' };
  return { ok: true, timestamp: seconds };
}

/** `v0=<hex>` for a body: what Slack sends, and what tests sign their requests with. */
export function slackSignature(
  signingSecret: string,
  timestamp: string,
  rawBody: Uint8Array | string,
): string {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return `v0=${signatureDigest(signingSecret, timestamp, body).toString('hex')}`;
}

function signatureDigest(signingSecret: string, timestamp: string, rawBody: Uint8Array): Buffer {
  return createHmac('sha256', signingSecret).update(`v0:${timestamp}:`, 'utf8').update(rawBody).digest();
}

/**
 * The key an accepted request is remembered by, so that the same signed request sent again is
 * refused: a hash of its signature (one request, one signature), not the signature itself.
 */
export function replayKey(signature: string): string {
  return `replay:${createHash('sha256').update(signature, 'utf8').digest('hex')}`;
}
