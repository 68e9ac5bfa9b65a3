/**
 * Uppy 6 in headless Debian Chromium (playwright-core) against `npm start`: the Dashboard uploads a 25 MB file
 * as a multipart upload in 5 MiB parts, paused mid-way and resumed from the Dashboard's own buttons; a small
 * PNG as one presigned PUT; a text file as a PostObject form (Uppy 6.3's `fields`). Each is recorded through
 * the OSS callback. CI installs chromium; elsewhere the test skips when it is absent.
 */

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startTestServer } from '../helpers/local';
import { gradientPng } from '../helpers/png';

/** Page-side state the demo page keeps for inspection (local/uppy/app.js); the project has no DOM types. */
declare const window: {
  uppy: {
    getFiles(): {
      id: string;
      isPaused?: boolean;
      preview?: string;
      progress: { bytesUploaded: number; uploadComplete?: boolean };
    }[];
  };
  signLog: { method: string; uploadId: boolean; status: number }[];
  partsUploaded: number;
};

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const OUT = 'test-output/browser';
const MiB = 1024 * 1024;
const PNG = gradientPng(320, 200);

describe.skipIf(!available)('Uppy Dashboard in Chromium', () => {
  let local: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ouc-uppy-'));
    local = await startTestServer({
      signEnv: { UPLOAD_MAX_BYTES: String(10 * MiB) },
      ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    await mkdir(OUT, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await local?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const records = async (): Promise<any[]> => (await (await fetch(`${local.url}/records`)).json()) as any[];

  async function open(name: string, data: Buffer): Promise<Page> {
    const file = join(dir, name);
    await writeFile(file, data);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${local.url}/`);
    await page.locator('.uppy-Dashboard-input').first().setInputFiles(file);
    return page;
  }

  const uploaded = (page: Page) =>
    page.waitForFunction(() => window.uppy.getFiles().every((f) => f.progress.uploadComplete), null, {
      timeout: 60_000,
    });

  it('uploads 25 MB in 5 MiB parts, paused mid-way and resumed, recorded whole with a multipart ETag', async () => {
    const data = randomBytes(25 * MiB);
    const page = await open('holiday video.mp4', data);
    // A slow uplink (about 4 MB/s), so there is a "mid-way" to pause at.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 5,
      downloadThroughput: -1,
      uploadThroughput: 4 * MiB,
    });
    await page.click('.uppy-StatusBar-actionBtn--upload');
    await page.waitForFunction(() => window.partsUploaded >= 2, null, { timeout: 30_000 });
    await page.click('button[title="Pause upload"]');
    const paused = await page.evaluate(() => window.uppy.getFiles()[0]);
    expect(paused?.isPaused).toBe(true);
    await page.waitForTimeout(1500);
    const still = await page.evaluate(() => window.uppy.getFiles()[0]);
    expect(still?.progress.uploadComplete).toBeFalsy();
    expect(still?.progress.bytesUploaded).toBeLessThan(data.length);
    await page.screenshot({ path: `${OUT}/uppy-multipart-paused.png`, fullPage: true });
    const signedBeforeResume = await page.evaluate(() => window.signLog.length);

    await page.click('button[title="Resume upload"]');
    await uploaded(page);
    const log = await page.evaluate(() => window.signLog);
    // Resuming asks OSS which parts it has (ListParts), then uploads only the rest.
    expect(log.slice(signedBeforeResume)[0]).toMatchObject({ method: 'GET', uploadId: true, status: 200 });
    // Five parts; at most the one in flight at the pause is sent again.
    const partsSigned = log.filter((l) => l.method === 'PUT' && l.uploadId).length;
    expect(partsSigned).toBeGreaterThanOrEqual(5);
    expect(partsSigned).toBeLessThanOrEqual(6);
    expect(log.every((l) => l.status === 200)).toBe(true);

    const record = (await records()).find((r) => r.key.endsWith('-holiday-video.mp4'));
    expect(record).toMatchObject({
      size: data.length,
      mimeType: 'video/mp4',
      operation: 'CompleteMultipartUpload',
      user: 'demo-user',
      callbackCount: 1,
    });
    expect(record.etag).toMatch(/^[0-9A-F]{32}-5$/);
    await page.waitForFunction(() => document.getElementById('records')?.textContent?.includes('holiday-video.mp4'));
    await page.screenshot({ path: `${OUT}/uppy-multipart-done.png`, fullPage: true });
    await page.close();
  }, 120_000);

  it('retries a failed Complete from the Dashboard without sending the parts again', async () => {
    const data = randomBytes(11 * MiB);
    const page = await open('retry me.bin', data);
    let refused = 0;
    // The connection drops on Complete: Uppy retries 3 times itself, then shows the file as failed.
    await page.route('**/s3/complete/**', (route) =>
      refused++ < 4 ? route.abort('connectionreset') : route.continue(),
    );
    await page.click('.uppy-StatusBar-actionBtn--upload');
    await page.waitForSelector('button[title="Retry upload"]', { timeout: 30_000 });
    expect(refused).toBe(4);
    await page.screenshot({ path: `${OUT}/uppy-multipart-failed.png`, fullPage: true });
    const before = await page.evaluate(() => window.signLog.length);
    await page.click('button[title="Retry upload"]');
    await uploaded(page);
    const after = (await page.evaluate(() => window.signLog)).slice(before);
    // ListParts finds all three parts, so the retry only completes.
    expect(after.map((l) => l.method)).toEqual(['GET', 'POST']);
    const record = (await records()).find((r) => r.key.endsWith('-retry-me.bin'));
    expect(record).toMatchObject({ size: data.length, operation: 'CompleteMultipartUpload', callbackCount: 1 });
    expect(record.etag).toMatch(/-3$/);
    await page.close();
  }, 60_000);

  it.each([
    ['put', 'photo.png', PNG, 'PutObject'],
    ['post', 'notes.txt', Buffer.from('a PostObject form from Uppy\n'), 'PostObject'],
  ] as const)('uploads a small file as one %s request', async (mode, name, data, operation) => {
    const page = await open(name, data);
    if (name.endsWith('.png')) {
      // The Dashboard's thumbnail, drawn by the browser from the file itself.
      await page.waitForFunction(() => Boolean(window.uppy.getFiles()[0]?.preview));
      await page.waitForSelector('.uppy-Dashboard-Item-previewImg');
    }
    await page.selectOption('#single-mode', mode);
    await page.click('.uppy-StatusBar-actionBtn--upload');
    await uploaded(page);
    const log = await page.evaluate(() => window.signLog);
    expect(log).toEqual([{ method: 'PUT', uploadId: false, status: 200 }]);
    const record = (await records()).find((r) => r.key.endsWith(`-${name}`));
    expect(record).toMatchObject({ size: data.length, operation, user: 'demo-user', callbackCount: 1 });
    if (name.endsWith('.png')) expect(record).toMatchObject({ imageWidth: 320, imageHeight: 200, imageFormat: 'png' });
    expect(record.etag).toMatch(/^[0-9A-F]{32}$/);
    await page.waitForFunction((n) => document.getElementById('records')?.textContent?.includes(n), name);
    await page.screenshot({ path: `${OUT}/uppy-${mode}.png`, fullPage: true });
    await page.close();
  });
});

declare const document: { getElementById(id: string): { textContent: string | null } | null };

describe.skipIf(!available)('Uppy Dashboard on another origin than OSS and sign-upload', () => {
  let local: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ouc-uppy-cors-'));
    // The page is loaded from http://localhost:<port>; OSS and sign-upload's URLs name http://127.0.0.1:<port>,
    // so every upload request is cross-origin: preflights, and ETag read through Access-Control-Expose-Headers.
    const port = await closedPort();
    local = await startTestServer({ port, signEnv: { CORS_ORIGINS: `http://localhost:${port}` } });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    await mkdir(OUT, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await local?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads a multipart file cross-origin (CORS on the local OSS and on /s3/create and /s3/complete)', async () => {
    const data = randomBytes(11 * MiB);
    const file = join(dir, 'cross origin.bin');
    await writeFile(file, data);
    const page = await browser.newPage();
    const crossOrigin = new Set<string>();
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.hostname === '127.0.0.1')
        crossOrigin.add(`${r.method()} ${url.pathname.split('/').slice(0, 3).join('/')}`);
    });
    await page.goto(local.url.replace('127.0.0.1', 'localhost'));
    await page.locator('.uppy-Dashboard-input').first().setInputFiles(file);
    await page.click('.uppy-StatusBar-actionBtn--upload');
    await page.waitForFunction(() => window.uppy.getFiles().every((f) => f.progress.uploadComplete), null, {
      timeout: 60_000,
    });
    const records = (await (await fetch(`${local.url}/records`)).json()) as any[];
    const record = records.find((r) => r.key.endsWith('-cross-origin.bin'));
    expect(record).toMatchObject({ size: data.length, operation: 'CompleteMultipartUpload', callbackCount: 1 });
    expect(record.etag).toMatch(/-3$/);
    // Initiate and Complete at sign-upload, the parts at OSS: all from the other origin.
    expect([...crossOrigin].sort()).toEqual([`POST /sign/s3`, `PUT /${local.bucket}/uploads`]);
    await page.screenshot({ path: `${OUT}/uppy-cross-origin.png`, fullPage: true });
    await page.close();
  }, 90_000);
});
