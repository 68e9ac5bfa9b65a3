/**
 * A person's path: headless Debian Chromium (driven by playwright-core) opens the demo page, uploads a real
 * file in both modes and sees the record. CI installs chromium; elsewhere the test skips when it is absent.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/local';

/** Page-side code below runs in Chromium; the project compiles without DOM types. */
declare const document: { getElementById(id: string): { textContent: string | null; value?: number } | null };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
if (!available) console.warn(`${CHROMIUM} not found: the browser test is skipped (apt-get install chromium to run it)`);

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

describe.skipIf(!available)('demo page in Chromium', () => {
  let local: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ouc-browser-'));
    local = await startTestServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    file = join(dir, 'holiday photo.png');
    await writeFile(file, PNG);
    await mkdir(OUT, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await local?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['put', 'post'])('uploads a real file with %s and shows the record', async (mode) => {
    const page = await browser.newPage();
    await page.goto(`${local.url}/plain`);
    await page.setInputFiles('#file', file);
    await page.check(`input[name=mode][value=${mode}]`);
    await page.fill('#album', `browser-${mode}`);
    await page.click('#upload');
    await page.waitForFunction(
      () => /Uploaded|failed|Error/.test(document.getElementById('status')?.textContent ?? ''),
      null,
      { timeout: 15_000 },
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
    await page.screenshot({ path: `${OUT}/demo-${mode}.png`, fullPage: true });
    const records = (await (await fetch(`${local.url}/records`)).json()) as any[];
    expect(records.find((r) => r.vars['x:album'] === `browser-${mode}`)).toMatchObject({
      size: PNG.length,
      user: 'demo-user',
      imageWidth: 3,
    });
    await page.close();
  });
});
