/**
 * Greps log lines for anything secret: known values (secrets, JWTs, and the signatures, policies, callbacks and
 * upload tokens of every signed answer), and the shapes of JWTs, V4 signatures, PEM keys and callback URLs.
 */
import { expect, vi } from 'vitest';
import type { LogFields } from '../../shared/log';

const SHAPES: [string, RegExp][] = [
  ['a JWT', /eyJ[\w-]{4,}\.[\w-]{4,}/],
  ['a presigned URL or V4 signature', /x-oss-signature|x-oss-credential|OSS4-HMAC-SHA256|Signature=/i],
  ['a PEM key', /-----BEGIN [A-Z ]*KEY-----/],
  ['a callback URL with its token', /\/callback\/[\w-]{20,}\.[\w-]{20,}/],
];

/** What a signed answer carries that must stay out of logs: signature, STS token, policy, callback, its token. */
export function signedSecrets(signed: {
  put?: { url: string; headers: Record<string, string> };
  post?: { fields: Record<string, string> };
}): string[] {
  const out: string[] = [];
  if (signed.put) {
    const query = new URL(signed.put.url).searchParams;
    out.push(signed.put.url, query.get('x-oss-signature') ?? '', query.get('x-oss-security-token') ?? '');
    out.push(signed.put.headers['x-oss-callback'] ?? '');
  }
  if (signed.post) {
    const f = signed.post.fields;
    out.push(f['x-oss-signature'] ?? '', f.policy ?? '', f.callback ?? '', f['x-oss-security-token'] ?? '');
  }
  // The callback (base64 JSON) names the callback URL, whose last segment is the upload token.
  for (const callback of [signed.put?.headers['x-oss-callback'], signed.post?.fields.callback]) {
    if (!callback) continue;
    const url = JSON.parse(Buffer.from(callback, 'base64').toString('utf8')).callbackUrl as string;
    out.push(url.slice(url.lastIndexOf('/') + 1));
  }
  return out.filter((value) => value.length >= 8);
}

export function expectNoSecretsLogged(lines: LogFields[], secrets: string[]): void {
  const texts = lines.map((line) => JSON.stringify(line));
  for (const text of texts) {
    for (const [what, shape] of SHAPES) expect(shape.test(text), `${what} in a log line: ${text}`).toBe(false);
  }
  const all = texts.join('\n');
  for (const secret of secrets) {
    // JSON-escaped as it would appear inside a line (a PEM has newlines).
    const needle = JSON.stringify(secret).slice(1, -1);
    expect(all.includes(needle), `a secret (${secret.slice(0, 6)}…) is in the logs`).toBe(false);
  }
}

/**
 * The log lines a deployed entry point writes to stdout (its logger is its own, not injectable), captured from
 * the call to `start()` until `stop()` and kept out of the test output: a passing run prints no ERROR line that
 * its test does not assert.
 */
export function captureStdoutLogs() {
  const lines: LogFields[] = [];
  let spy: { mockRestore(): void } | undefined;
  return {
    lines,
    start() {
      spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        for (const text of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(text) as LogFields);
        return true;
      });
    },
    stop() {
      spy?.mockRestore();
      lines.length = 0;
    },
  };
}
