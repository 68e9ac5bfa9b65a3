/**
 * Standard Webhooks signing, pure (no clock, no I/O): the receiver's libraries (`standardwebhooks` on npm and
 * its siblings in other languages) verify what this makes.
 *
 *   signed content = `${webhook-id}.${webhook-timestamp}.${body}`
 *   signature      = base64(HMAC-SHA256(base64-decode(secret without "whsec_"), signed content))
 *   header         = space-separated `v1,<signature>`, one per secret (several while a secret is rotated)
 *
 * node:crypto rather than the package: the same bytes without its dependency in the bundle;
 * test/shared/hooks/sign.property.test.ts checks the package's `verify` accepts every signature made here.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */
import { createHmac } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
export const SIGNATURE_VERSION = 'v1';
/** Base64 of at least 24 bytes: the specification asks for 24 to 64 random bytes. */
const SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/;

export const isHookSecret = (secret: string) => SECRET_PATTERN.test(secret);

/** The HMAC key of a `whsec_` secret (its base64 part, decoded). */
export const secretKey = (secret: string): Buffer => Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');

/** `webhook-timestamp`: whole Unix seconds. */
export const webhookTimestamp = (at: Date) => String(Math.floor(at.getTime() / 1000));

export const signedContent = (id: string, timestamp: string, body: string) => `${id}.${timestamp}.${body}`;

export const signature = (key: Buffer, content: string) => createHmac('sha256', key).update(content).digest('base64');

export interface WebhookMessage {
  id: string;
  body: string;
}

/** The three headers of one attempt, signed at `at` with every key (the current one first). */
export function webhookHeaders(message: WebhookMessage, keys: readonly Buffer[], at: Date): Record<string, string> {
  const timestamp = webhookTimestamp(at);
  const content = signedContent(message.id, timestamp, message.body);
  return {
    'webhook-id': message.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': keys.map((key) => `${SIGNATURE_VERSION},${signature(key, content)}`).join(' '),
  };
}
