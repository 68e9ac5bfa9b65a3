/**
 * A person's path: headless Debian Chromium (driven by playwright-core) opens the demo page, uploads a real
 * file in both modes and sees the record, kept current by the page itself (the OSS event's count arrives
 * without a reload), readable (sizes and times a person reads, the exact values on hover) and within the page
 * at a desktop and a phone width. CI installs chromium; elsewhere the test skips when it is absent.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timerEvent } from '../../local/timer';
import { startTestServer } from '../helpers/local';
import { CHROMIUM_PATH, has } from '../helpers/prerequisites';

/** Page-side code below runs in Chromium; the project compiles without DOM types. */
declare const document: any;
declare const window: any;

// Flags from the machine notes: without the background-networking ones Chromium dials out at start.
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
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000003000000020806000000b4f4bdc30000000c4944415478da63f8ffff3f0300050001fe0a0a0f410000000049454e44ae426082',
  'hex',
);

describe.skipIf(!has.chromium)('demo page in Chromium', () => {
  let local: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ouc-browser-'));
    local = await startTestServer();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
    file = join(dir, 'holiday photo.png');
    await writeFile(file, PNG);
    await mkdir(OUT, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await local?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Every failed request and console error of `page` (a missing favicon would be one). */
  function problems(page: Page): string[] {
    const seen: string[] = [];
    page.on('console', (m) => (m.type() === 'error' ? seen.push(`console: ${m.text()}`) : undefined));
    page.on('response', (r) => (r.status() >= 400 ? seen.push(`${r.status()} ${r.url()}`) : undefined));
    return seen;
  }

  // Runs first: the server has no record yet.
  it('says there are no uploads yet, and links an icon that loads', async () => {
    const page = await browser.newPage();
    const failed = problems(page);
    await page.goto(`${local.url}/plain`);
    await page.waitForFunction(() => Number(document.getElementById('records').dataset.refreshes) >= 1);
    expect(await page.textContent('#records')).toBe('No uploads yet: choose a file above and press Upload.');
    const icon = await page.evaluate(async () => {
      const res = await fetch(document.querySelector('link[rel=icon]').href);
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
    });
    expect(icon).toMatchObject({ status: 200, type: 'image/svg+xml', body: expect.stringMatching(/^<svg /) });
    expect(failed).toEqual([]);
    await page.close();
  });

  it.each(['put', 'post'])('uploads a real file with %s and shows the record', async (mode) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const failed = problems(page);
    await page.goto(`${local.url}/plain`);
    await page.evaluate(() => {
      window.sameDocument = true; // gone if the page reloads
    });
    await page.setInputFiles('#file', file);
    await page.check(`input[name=mode][value=${mode}]`);
    await page.fill('#album', `browser-${mode}`);
    await page.click('#upload');
    await page.waitForFunction(
      () => /Uploaded|failed|Error/.test(document.getElementById('status')?.textContent ?? ''),
      null,
      { timeout: 30_000 },
    );
    expect(await page.textContent('#status')).toBe(`Uploaded and recorded (${mode.toUpperCase()}).`);
    expect(await page.textContent('#answer')).toMatch(/^HTTP 200\n\{"Status":"OK"/);
    await page.waitForFunction(
      (album) => document.getElementById('records')?.textContent?.includes(album),
      `browser-${mode}`,
    );
    const row = await page.textContent('#records tr:first-child');
    expect(row).toContain('holiday-photo.png');
    expect(row).toContain('image/png');
    expect(row).toContain('demo-user');
    expect(await page.evaluate(() => document.getElementById('progress')?.value)).toBe(100);
    const records = (await (await fetch(`${local.url}/records`)).json()) as any[];
    expect(records.find((r) => r.vars['x:album'] === `browser-${mode}`)).toMatchObject({
      size: PNG.length,
      user: 'demo-user',
      imageWidth: 3,
    });

    // The OSS event lands after the callback answered: the row shows its count with no reload.
    await local.events.idle();
    const [record] = (await (await fetch(`${local.url}/records`)).json()) as any[];
    expect(record).toMatchObject({ vars: { 'x:album': `browser-${mode}` }, callbackCount: 1, eventCount: 1 });
    await page.waitForFunction(
      (counts) => document.querySelector('#records tr:first-child .c-learned-by').textContent.includes(counts),
      'callback\u00a01\u00a0· event\u00a01\u00a0· sweep\u00a00',
    );
    expect(await page.evaluate(() => window.sameDocument)).toBe(true);

    // What a person reads, and the exact values on hover.
    const cell = (name: string) =>
      page.evaluate((n) => {
        const td = document.querySelector(`#records tr:first-child .c-${n}`);
        return { text: td.textContent, title: td.title };
      }, name);
    expect(await cell('size')).toEqual({ text: `${PNG.length} B`, title: `${PNG.length} bytes` });
    expect((await cell('recorded')).text).toMatch(/^\d+ s ago$/);
    expect((await cell('recorded')).title).toContain(`recorded ${record.createdAt}`);
    expect(await cell('state')).toEqual({ text: 'active', title: 'the object is in the bucket as recorded' });
    expect((await cell('file')).title).toContain(record.key);

    // Within the page at a desktop and a phone width; no figure cut or split.
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      // Measured in the second frame after the resize: the first one's resize observers have run by then.
      await page.evaluate(
        () => new Promise((done) => window.requestAnimationFrame(() => window.requestAnimationFrame(done))),
      );
      const fit = await page.evaluate(() => {
        const view = document.querySelector('.records-view').getBoundingClientRect();
        const table = document.querySelector('.records-view table').getBoundingClientRect();
        const figures = [...document.querySelectorAll('#records .num .main')];
        return {
          tableOverflow: Math.max(0, Math.ceil(table.right - view.right)),
          pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
          cutFigures: figures.filter((f: any) => f.scrollWidth > f.clientWidth || f.getClientRects().length !== 1)
            .length,
        };
      });
      expect(fit).toEqual({ tableOverflow: 0, pageOverflow: 0, cutFigures: 0 });
      await page.screenshot({ path: `${OUT}/demo-${mode}-${width}.png`, fullPage: true, animations: 'disabled' });
    }
    expect(failed).toEqual([]);
    await page.close();
  });

  it('shows a record the sweep finds later, without a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const failed = problems(page);
    await page.goto(`${local.url}/plain`);
    await page.evaluate(() => {
      window.sameDocument = true;
    });
    // Neither the callback nor the OSS event arrives: nothing is recorded until the sweep lists the object.
    local.setFaults({ callback: () => 'drop', event: () => ({ drop: true }) });
    try {
      await page.setInputFiles('#file', file);
      await page.fill('#album', 'browser-sweep');
      await page.click('#upload');
      await page.waitForFunction(() => /failed/.test(document.getElementById('status').textContent));
      // Two refreshes after the upload: the second began after it, and the table has no such record.
      const after = await page.evaluate(() => Number(document.getElementById('records').dataset.refreshes));
      await page.waitForFunction((n) => Number(document.getElementById('records').dataset.refreshes) >= n + 2, after);
      expect(await page.textContent('#records')).not.toContain('browser-sweep');
    } finally {
      local.setFaults({});
    }
    await local.uploadEvent(timerEvent(new Date()));
    const [record] = (await (await fetch(`${local.url}/records`)).json()) as any[];
    expect(record).toMatchObject({ vars: { 'x:album': 'browser-sweep' }, firstSource: 'sweep', callbackCount: 0 });
    await page.waitForFunction(() => {
      const row = document.querySelector('#records tr:first-child');
      return (
        row.textContent.includes('browser-sweep') &&
        row.querySelector('.c-learned-by .main').textContent === 'sweep first'
      );
    });
    expect(await page.evaluate(() => window.sameDocument)).toBe(true);
    expect(failed).toEqual([]);
    await page.close();
  }, 30_000);
});
