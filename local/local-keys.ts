/**
 * npm start's secrets: the local OSS's access key and STS token, CALLBACK_TOKEN_SECRET, the dev JWT secret and the
 * local OSS's callback key pair. Kept in the data folder (LOCAL_DATA_DIR) in one private file, made on the first
 * start and read on every later one, so uploads signed before a restart still verify after it and
 * `npm run reconcile -- --local` checks tokens with the same secret. Deleting the folder resets them (and the
 * records and objects with them). Tests with in-memory stores use fresh keys instead.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';

/** The secrets and keys of one local run: the local OSS's access key, the token and JWT secrets, OSS's callback key. */
export interface LocalKeys {
  /** The local OSS's access key (its STS form is what sign-upload gets as FC context.credentials). */
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken: string };
  tokenSecret: string;
  jwtSecret: string;
  callbackKey: { publicPem: string; privatePem: string };
}

const keysSchema = z.object({
  version: z.literal(1),
  credentials: z.object({ accessKeyId: z.string(), accessKeySecret: z.string(), securityToken: z.string() }),
  tokenSecret: z.string().check(z.minLength(32)),
  jwtSecret: z.string().check(z.minLength(32)),
  callbackKey: z.object({ publicPem: z.string(), privatePem: z.string() }),
});

/** npm start's data folder unless LOCAL_DATA_DIR says otherwise: records (PGlite), objects, keys. */
export const DEFAULT_DATA_DIR = '.local-data';

/** Where npm start keeps its keys. */
export const keysFile = (dataDir: string) => join(dataDir, 'keys.json');

/** Fresh keys: random secrets and a new RSA key pair for the local OSS's callbacks. */
export function freshKeys(callbackKeyBits = 2048): LocalKeys {
  const pair = generateKeyPairSync('rsa', { modulusLength: callbackKeyBits });
  return {
    credentials: {
      accessKeyId: 'STS.local-dev',
      accessKeySecret: randomBytes(24).toString('base64url'),
      securityToken: randomBytes(32).toString('base64'),
    },
    tokenSecret: randomBytes(32).toString('base64url'),
    jwtSecret: randomBytes(32).toString('base64url'),
    callbackKey: {
      publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
  };
}

/**
 * The data folder, private (0700): made so when missing; an existing one of ours that others may enter is
 * narrowed to 0700 (one owned by someone else is left as it is: the key file's own mode still holds).
 */
export async function privateDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const info = await stat(dataDir);
  if (info.mode & 0o077 && info.uid === process.getuid?.()) await chmod(dataDir, 0o700);
}

/** A key file copied in with a wider mode is narrowed to 0600 when it is ours. */
async function keepPrivate(file: string): Promise<void> {
  const info = await stat(file);
  if (info.mode & 0o077 && info.uid === process.getuid?.()) await chmod(file, 0o600);
}

/** The keys in the data folder; undefined when none were made yet. A damaged file is an error naming the reset. */
export async function readKeys(dataDir: string): Promise<LocalKeys | undefined> {
  const file = keysFile(dataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: z.infer<typeof keysSchema>;
  try {
    parsed = keysSchema.parse(JSON.parse(text));
  } catch {
    throw new Error(`${file} is not a key file this version reads; delete ${dataDir} to start afresh`);
  }
  const { version: _version, ...keys } = parsed;
  return keys;
}

/**
 * The data folder's keys, made on first use. Written to a private temporary file (0600) and linked into place,
 * so a reader never sees half a file and two processes starting at once agree on one set (the second reads the
 * first's).
 */
export async function loadOrCreateKeys(dataDir: string, callbackKeyBits = 2048): Promise<LocalKeys> {
  await privateDataDir(dataDir);
  const existing = await readKeys(dataDir);
  if (existing) {
    await keepPrivate(keysFile(dataDir));
    return existing;
  }
  const keys = freshKeys(callbackKeyBits);
  const file = keysFile(dataDir);
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temporary, `${JSON.stringify({ version: 1, ...keys }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temporary, { force: true });
  }
  return (await readKeys(dataDir)) ?? keys;
}
