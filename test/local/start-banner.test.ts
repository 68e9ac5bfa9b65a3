/**
 * `npm start` as a user runs it, with function variables in its environment: the functions it runs read them
 * (UPLOAD_FORBID_OVERWRITE=false reaches sign-upload), and the start-up banner names what npm start sets itself
 * for the local OSS (a production OSS_ENDPOINT or CALLBACK_PUBLIC_URL is overridden, and said so), never a
 * variable it passes through. (Its fresh PGlite starts from the tests' template: test/helpers/child.ts.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pgliteChild } from '../helpers/child';

const dataDir = mkdtempSync(join(tmpdir(), 'ouc-start-'));
let child: ChildProcess | undefined;
afterAll(() => {
  if (child?.pid && child.exitCode === null) child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

/** npm start's output up to the end of its banner. */
function banner(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('(every other function variable is read from this environment)')) resolve(out);
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    proc.on('exit', (code) => reject(new Error(`npm start exited (${code}) before its banner:\n${out}`)));
  });
}

describe('npm start with function variables in its environment', () => {
  it('passes them to the functions, and its banner names only what it overrides', async () => {
    const pglite = pgliteChild();
    child = spawn(process.execPath, [...pglite.nodeArgs, 'scripts/run-ts.mjs', 'local/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...pglite.env,
        PORT: '0',
        LOCAL_DATA_DIR: dataDir,
        LOCAL_SWEEP_SECONDS: '0',
        UPLOAD_FORBID_OVERWRITE: 'false',
        OSS_ENDPOINT: 'https://oss-cn-hangzhou.aliyuncs.com',
        CALLBACK_PUBLIC_URL: 'https://uploads.example.com/callback',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const text = await banner(child);
    const overridden = (/set by npm start ([\s\S]*?)\n\s+\(every other/.exec(text)?.[1] ?? '').split(/[,\s]+/);
    expect(overridden).toEqual(
      expect.arrayContaining(['OSS_ENDPOINT', 'CALLBACK_PUBLIC_URL', 'CALLBACK_TOKEN_SECRET']),
    );
    expect(overridden).not.toContain('UPLOAD_FORBID_OVERWRITE');

    const url = /demo page\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(text)?.[1];
    expect(url).toBeDefined();
    const { token } = (await (await fetch(`${url}/dev/token`, { method: 'POST' })).json()) as { token: string };
    const res = await fetch(`${url}/sign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ route: 'documents', filename: 'a.txt', contentType: 'text/plain', size: 4 }),
    });
    expect(res.status).toBe(200);
    const signed = (await res.json()) as { put: { url: string; headers: Record<string, string> } };
    expect(signed.put.headers).not.toHaveProperty('x-oss-forbid-overwrite');
    expect(signed.put.url.startsWith(`${url}/`)).toBe(true); // the local OSS, whatever OSS_ENDPOINT said
  }, 120_000);
});
