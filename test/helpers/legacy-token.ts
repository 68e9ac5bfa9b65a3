/** What the previous version (v1, `git show 45a182b:shared/upload-token.ts`) signed: for the transition's tests. */
import { createHmac } from 'node:crypto';
import type { UploadClaims } from '../../shared/proof';

export function createV1Token(claims: UploadClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  const mac = createHmac('sha256', secret).update(`ouc1.${payload}`, 'utf8').digest().toString('base64url');
  return `${payload}.${mac}`;
}

/** The same MAC bytes spelled another way (the last character's two spare bits set): v1 accepted it. */
export function respellMac(token: string): string {
  const last = token.at(-1) ?? 'A';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const index = alphabet.indexOf(last);
  return token.slice(0, -1) + alphabet[(index & ~3) | ((index & 3) ^ 1)];
}
