import { createHmac } from 'node:crypto';

/**
 * Users appear in logs only as a short keyed hash: the same user gives the same 16 hex digits in every line of
 * every function sharing the secret (follow one user without learning who), and without the secret the
 * hash cannot be tested against guessed user ids. The key is derived (domain-separated) from the secret.
 */
export function userHasher(secret: string): (user: string) => string {
  const key = createHmac('sha256', secret).update('oss-upload-callback log user hash v1').digest();
  // A client signs again and again: its hash is remembered (bounded), not recomputed with an HMAC per line.
  const known = new Map<string, string>();
  return (user) => {
    let hash = known.get(user);
    if (hash === undefined) {
      hash = createHmac('sha256', key).update(user).digest('hex').slice(0, 16);
      if (known.size >= 1000) known.clear();
      known.set(user, hash);
    }
    return hash;
  };
}

/**
 * The hasher every function uses: LOG_HASH_SECRET, else (the default) one derived from CALLBACK_TOKEN_SECRET,
 * which all three functions share, so one user has one hash in every function's lines.
 */
export const logHasher = (config: { LOG_HASH_SECRET?: string | undefined; CALLBACK_TOKEN_SECRET: string }) =>
  userHasher(config.LOG_HASH_SECRET ?? config.CALLBACK_TOKEN_SECRET);
