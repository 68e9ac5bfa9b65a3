/**
 * OSS signs callbacks with a 512-bit RSA key (shared/oss/public-key.ts); the benchmarks' stand-in key is as
 * large (a 2048-bit key made the verify ~8x dearer). One per process, made when first needed.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';

export const OSS_SIZED_KEY_URL = 'https://bench.invalid/callback_pub_key.pem';

interface OssSizedKey {
  /** PKCS#8 PEM, for signing callbacks as OSS would. */
  privateKey: string;
  /** SPKI PEM, for OSS_CALLBACK_TRUSTED_KEYS. */
  publicKey: string;
  publicKeyObject: KeyObject;
}

let key: OssSizedKey | undefined;

export function ossSizedKey(): OssSizedKey {
  if (!key) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 512 });
    key = {
      privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      publicKeyObject: pair.publicKey,
    };
  }
  return key;
}

/** OSS_CALLBACK_TRUSTED_KEYS trusting the stand-in key. */
export const trustedOssSizedKey = () => JSON.stringify({ [OSS_SIZED_KEY_URL]: ossSizedKey().publicKey });
