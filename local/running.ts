/**
 * How `npm run reconcile -- --local` finds a running `npm start`: the server writes its URL to the data folder at
 * start (`server.json`, 0600) and removes it at close. A file left by a server that died is stale: its process is
 * gone, or what answers at its URL is not that server (each start has a random instance id, answered by
 * `GET /dev/server`). PGlite must never be opened by two processes, so a server whose process lives but does
 * not answer is reported as such, never taken as gone.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import * as z from 'zod/mini';

const serverSchema = z.object({
  url: z.string(),
  pid: z.number(),
  instance: z.string(),
  /** Where its records go: a PGlite folder in the data folder, memory (tests), or PostgreSQL (DATABASE_URL). */
  records: z.enum(['pglite', 'memory', 'postgresql']),
  startedAt: z.string(),
});

export type ServerInfo = z.infer<typeof serverSchema>;

export type RunningServer =
  | { state: 'none' }
  | { state: 'running'; server: ServerInfo }
  /** Its process lives but it did not answer as itself: never open its PGlite folder then. */
  | { state: 'unresponsive'; server: ServerInfo };

export const serverFile = (dataDir: string) => join(dataDir, 'server.json');

export const newInstanceId = () => randomBytes(12).toString('base64url');

/** Written whole (a temporary file renamed into place), readable by its owner only. */
export async function announceServer(dataDir: string, info: ServerInfo): Promise<void> {
  const file = serverFile(dataDir);
  const temporary = `${file}.${info.instance}`;
  await writeFile(temporary, `${JSON.stringify(info)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

/** Removes the file if it still names this instance (another server on the folder may have written its own). */
export async function withdrawServer(dataDir: string, instance: string): Promise<void> {
  const info = await readServerFile(dataDir);
  if (info?.instance === instance) await rm(serverFile(dataDir), { force: true });
}

async function readServerFile(dataDir: string): Promise<ServerInfo | undefined> {
  try {
    return serverSchema.parse(JSON.parse(await readFile(serverFile(dataDir), 'utf8')));
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `url` answers as this instance, within a generous deadline. */
async function answersAs(info: ServerInfo, fetchFn: typeof fetch): Promise<boolean> {
  try {
    const res = await fetchFn(`${info.url}/dev/server`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return false;
    return ((await res.json()) as { instance?: unknown }).instance === info.instance;
  } catch {
    return false;
  }
}

/** The server named in the data folder: running, stale (then its file is removed: none), or unresponsive. */
export async function findRunningServer(dataDir: string, fetchFn: typeof fetch = fetch): Promise<RunningServer> {
  const info = await readServerFile(dataDir);
  if (!info) return { state: 'none' };
  if (!processAlive(info.pid)) {
    await rm(serverFile(dataDir), { force: true });
    return { state: 'none' };
  }
  return (await answersAs(info, fetchFn))
    ? { state: 'running', server: info }
    : { state: 'unresponsive', server: info };
}

/**
 * POSTs JSON to a running server and reads its JSON answer. node:http, not fetch: fetch gives up on an answer
 * after 300 s (undici's headersTimeout), and a sweep may take its whole budget before answering.
 */
export function askServer(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': payload.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: the text itself
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
