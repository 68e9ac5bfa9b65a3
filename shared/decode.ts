/**
 * Strict readers for untrusted text: the one spelling of some bytes in base64url, and a JSON value that is a
 * plain object. Shared by the upload token and grant codec (shared/proof/), the JWT fast path (shared/auth/) and
 * the trigger-event parser (shared/platform/), so "canonical" and "object" mean the same thing in all of them.
 */

/**
 * The bytes `text` spells when it is their canonical unpadded base64url, else undefined: the spare bits a last
 * character can carry, padding and stray characters are never a second spelling of the same bytes.
 */
export function canonicalBase64url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** A JSON.parse result that is an object: not an array, not null. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
