/**
 * What npm start keeps in its data folder besides records and objects: its keys (local-keys.ts) and, while it
 * runs, its URL (running.ts). Claimed at start: a second npm start on a folder whose PGlite is in use is refused
 * (PGlite admits one process); released at close.
 */
import { freshKeys, keysFile, type LocalKeys, loadOrCreateKeys, privateDataDir } from './local-keys';
import {
  announceServer,
  findRunningServer,
  newInstanceId,
  type ServerInfo,
  serverFile,
  withdrawServer,
} from './running';

export interface DataFolderOptions {
  /** Where records go: PGlite in the folder, in memory, or PostgreSQL. */
  records: ServerInfo['records'];
  /** `persisted`: the folder's keys, made on first start; `fresh`: new ones for this run only. */
  keys: 'persisted' | 'fresh';
  callbackKeyBits: number;
}

export interface DataFolder {
  keys: LocalKeys;
  /** The key file, when the keys are the folder's (its path is shown, never its content). */
  keysFile?: string;
  /** This start's id, answered by `GET /dev/server`. */
  instance: string;
  /** Writes this server's URL to the folder, for `npm run reconcile -- --local`. */
  announce(url: string): Promise<void>;
  /** Removes it (if it is still this server's). */
  release(): Promise<void>;
}

/** PGlite admits one process: a second npm start on the same folder would damage it. */
async function refuseSecondPglite(dataDir: string): Promise<void> {
  const found = await findRunningServer(dataDir);
  if (found.state === 'none') return;
  throw new Error(
    `npm start (process ${found.server.pid}, ${found.server.url}) already uses ${dataDir}` +
      (found.state === 'unresponsive' ? `; if it is gone, delete ${serverFile(dataDir)}` : ''),
  );
}

export async function claimDataFolder(dataDir: string, options: DataFolderOptions): Promise<DataFolder> {
  if (options.records === 'pglite') await refuseSecondPglite(dataDir);
  await privateDataDir(dataDir);
  const persisted = options.keys === 'persisted';
  const keys = persisted
    ? await loadOrCreateKeys(dataDir, options.callbackKeyBits)
    : freshKeys(options.callbackKeyBits);
  const instance = newInstanceId();
  return {
    keys,
    ...(persisted ? { keysFile: keysFile(dataDir) } : {}),
    instance,
    announce: (url) =>
      announceServer(dataDir, {
        url,
        pid: process.pid,
        instance,
        records: options.records,
        startedAt: new Date().toISOString(),
      }),
    release: () => withdrawServer(dataDir, instance),
  };
}
