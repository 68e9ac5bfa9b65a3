/**
 * The demo's routes (local/routes.json: avatar, documents, videos) in headless Chromium against `npm start`:
 * through Uppy, one file to each of two routes, each file's route its `meta.route`, shown in the records table;
 * on the plain page, a file the avatar route refuses (too large, a PDF) is refused before anything is uploaded,
 * with the limit named, and a second avatar shows the first one replaced.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/local';
import { gradientPng } from '../helpers/png';
import { CHROMIUM_PATH, has } from '../helpers/prerequisites';

declare const window: {
  uppy: { getFiles(): { meta: { route?: string }; progress: { uploadComplete?: boolean } }[] };
};
declare const document: any;

const ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'];
const OUT = 'test-output/browser';

/** The text of a column in the records table, row by row (newest first). */
const column = (page: Page, name: string): Promise<string[]> =>
  page.evaluate(
    (n) => [...document.querySelectorAll(`#records tr .c-${n} .main`)].map((td: any) => td.textContent),
    name,
  );

describe.skipIf(!has.chromium)('routes in the demo pages (Chromium)', () => {
  let local: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ouc-routes-'));
    local = await startTestServer({ routes: JSON.parse(await readFile('local/routes.json', 'utf8')) });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
    await mkdir(OUT, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await local?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const file = async (name: string, data: Buffer | string) => {
    const path = join(dir, name);
    await writeFile(path, data);
    return path;
  };

  it('uploads one file to each of two routes through Uppy, and shows each route in the records', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${local.url}/`);
    await page.waitForFunction(() => document.querySelectorAll('#route option').length === 3);
    expect(await page.inputValue('#route')).toBe('documents'); // the declaration's default route
    await page.selectOption('#route', 'avatar');
    expect(await page.textContent('#limits')).toContain('images at most 1024×1024 px');
    await page
      .locator('.uppy-Dashboard-input')
      .first()
      .setInputFiles(await file('me.png', gradientPng(200, 120)));
    await page.selectOption('#route', 'documents');
    // The Dashboard's file input is gone once it lists a file: the second is added as its "add more" would.
    await page.evaluate(() =>
      (window.uppy as any).addFile({ name: 'notes.txt', type: 'text/plain', data: new Blob(['route test notes']) }),
    );
    expect(await page.evaluate(() => window.uppy.getFiles().map((f) => f.meta.route))).toEqual(['avatar', 'documents']);
    await page.click('.uppy-StatusBar-actionBtn--upload');
    await page.waitForFunction(() => window.uppy.getFiles().every((f) => f.progress.uploadComplete), null, {
      timeout: 60_000,
    });
    await local.events.idle();
    const records = (await (await fetch(`${local.url}/records`)).json()) as any[];
    expect(records.map((r) => [r.route, r.mimeType]).sort()).toEqual([
      ['avatar', 'image/png'],
      ['documents', 'text/plain'],
    ]);
    const avatar = records.find((r) => r.route === 'avatar');
    expect(avatar).toMatchObject({ imageWidth: 200, imageHeight: 120, callbackCount: 1 });
    expect(avatar.key).toMatch(/^uploads\/avatars\/demo-user\/[0-9a-f-]{36}\.png$/);
    await page.waitForFunction(() => document.querySelectorAll('#records tr .c-route').length === 2);
    expect((await column(page, 'route')).sort()).toEqual(['avatar', 'documents']);
    await page.screenshot({ path: `${OUT}/routes-uppy.png`, fullPage: true, animations: 'disabled' });
    await page.close();
  }, 90_000);

  it('refuses on the plain page what the avatar route does not take, before uploading, naming the limit', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${local.url}/plain`);
    await page.waitForFunction(() => document.querySelectorAll('#route option').length === 3);
    await page.selectOption('#route', 'avatar');
    const before = ((await (await fetch(`${local.url}/records`)).json()) as any[]).length;
    const uploadsBefore = await local.store.list(1000);

    await page.setInputFiles(
      '#file',
      await file('huge.png', Buffer.concat([gradientPng(10, 10), Buffer.alloc(3 * 1024 * 1024)])),
    );
    await page.click('#upload');
    await page.waitForFunction(() => document.getElementById('status').className === 'error');
    expect(await page.textContent('#status')).toBe(
      "FileTooLarge: size 3145889 is over route avatar's 2097152-byte limit".replace(
        '3145889',
        String(3 * 1024 * 1024 + gradientPng(10, 10).length),
      ),
    );
    await page.setInputFiles('#file', await file('cv.pdf', '%PDF-1.4 not an avatar'));
    await page.click('#upload');
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('ContentTypeNotAllowed'));
    expect(await page.textContent('#status')).toContain(
      'not allowed for route avatar (it takes image/png, image/jpeg, image/gif)',
    );
    await page.screenshot({ path: `${OUT}/routes-refused.png`, fullPage: true, animations: 'disabled' });
    expect(await page.inputValue('#route')).toBe('avatar');
    expect(((await (await fetch(`${local.url}/records`)).json()) as any[]).length).toBe(before);
    expect(await local.store.list(1000)).toHaveLength(uploadsBefore.length);
    await page.close();
  });

  it('shows the first avatar replaced when a second one is uploaded', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${local.url}/plain`);
    await page.waitForFunction(() => document.querySelectorAll('#route option').length === 3);
    await page.selectOption('#route', 'avatar');
    await page.setInputFiles('#file', await file('second.png', gradientPng(64, 64)));
    await page.click('#upload');
    await page.waitForFunction(() => /recorded/.test(document.getElementById('status').textContent));
    await local.events.idle();
    const avatars = ((await (await fetch(`${local.url}/records`)).json()) as any[]).filter((r) => r.route === 'avatar');
    expect(avatars.map((r) => [r.state, r.stateReason])).toEqual([
      ['active', null],
      ['replaced', 'replaced:deleted'],
    ]);
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#records tr')].some(
        (tr: any) =>
          tr.querySelector('.c-route .main')?.textContent === 'avatar' &&
          tr.querySelector('.c-state .main')?.textContent === 'replaced',
      ),
    );
    await page.screenshot({ path: `${OUT}/routes-replaced.png`, fullPage: true, animations: 'disabled' });
    await page.close();
  });
});
