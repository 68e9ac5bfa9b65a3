/**
 * The essential-work floors of one signed upload with its JWT, in bare node:crypto: what no implementation
 * can skip. PUT: a UUID, the JWT's HMAC, the upload token's HMAC, one SHA-256 of a canonical request holding
 * the callback header, one HMAC with a cached V4 signing key. POST form: the same UUID and two token HMACs, the
 * policy's Base64 and one HMAC of it with the cached signing key (a PostObject signs its policy text; there is
 * no canonical request).
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { JWT_SECRET, KEYS, NOW, TOKEN_SECRET } from '../local/fixtures/sign';
import { signingKey } from '../shared/oss';
import type { SignFixture } from './sign-fixture';

const SCOPE = '20261125/cn-hangzhou/oss/aliyun_v4_request';

export function signFloors(f: SignFixture) {
  const canonical = `PUT\n/example-bucket/${f.key}\nx-oss-credential=${'x'.repeat(60)}&x-oss-date=20261125T060000Z&x-oss-expires=600&x-oss-signature-version=OSS4-HMAC-SHA256\n${Object.entries(
    f.putHeaders,
  )
    .map(([n, v]) => `${n.toLowerCase()}:${v}\n`)
    .join('')}\n\nUNSIGNED-PAYLOAD`;
  const jwtInput = f.token.slice(0, f.token.lastIndexOf('.'));
  const tokenInput = Buffer.alloc(120, 7);
  // Looked up per request, as the existing floor always has: the cached key's lookup is part of the floor.
  const key = () => signingKey(KEYS.OSS_ACCESS_KEY_SECRET, NOW, 'cn-hangzhou');
  const tokens = () => {
    randomUUID();
    createHmac('sha256', JWT_SECRET).update(jwtInput).digest();
    createHmac('sha256', TOKEN_SECRET).update(tokenInput).digest();
  };
  return {
    put: () => {
      tokens();
      const hash = createHash('sha256').update(canonical).digest('hex');
      return createHmac('sha256', key()).update(`OSS4-HMAC-SHA256\n20261125T060000Z\n${SCOPE}\n${hash}`).digest('hex');
    },
    post: () => {
      tokens();
      const policy = Buffer.from(f.policyText, 'utf8').toString('base64');
      return createHmac('sha256', key()).update(policy).digest('hex');
    },
  };
}
