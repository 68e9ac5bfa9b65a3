/**
 * Processing hooks through `npm start` (local/routes.json's documents route has its hook at the local
 * receiver): each confirmed upload is delivered signed (Standard Webhooks, verified with the `standardwebhooks`
 * package), its removal too after a DeleteObject at the local OSS, and nothing for an object that is not ours.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { hookRecord } from '../../shared/hooks';
import { deleteObject } from '../../shared/oss-client';
import { localOssClient, putThrough, startTestServer, waitFor } from '../helpers/local';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'];
const FAST_HOOKS = { HOOK_RETRY_SCHEDULE: '20ms,40ms,80ms', HOOK_TIMEOUT_MS: '500' };

describe('processing hooks in the local run', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('delivers upload.recorded for an upload, then upload.removed after DeleteObject at the local OSS', async () => {
    const routes = JSON.parse(await readFile('local/routes.json', 'utf8'));
    const local = await startTestServer({ routes, eventEnv: FAST_HOOKS, eventRetryDelayMs: 20 });
    stop = () => local.stop();
    const upload = await putThrough(local, { name: 'report.txt', body: 'hello hooks' });
    expect(upload.status).toBe(200);
    const delivered = (type: string) =>
      local.hooks.attempts.filter((a) => a.event?.type === type && a.answered === 204);
    await waitFor('upload.recorded delivered', async () => delivered('upload.recorded').length > 0, 20_000, 50);

    const [first] = delivered('upload.recorded');
    expect(new Webhook(local.hookSecret).verify(first?.body ?? '', first?.headers ?? {})).toBeTruthy();
    const record = await local.store.get(upload.uploadId);
    expect(first?.event?.data).toEqual(hookRecord(record as never));
    expect(first?.event?.data).toMatchObject({ uploadId: upload.uploadId, key: upload.key, route: 'documents' });

    await local.events.idle();
    await deleteObject(localOssClient(local), upload.key);
    await waitFor('upload.removed delivered', async () => delivered('upload.removed').length > 0, 20_000, 50);
    const [removed] = delivered('upload.removed');
    expect(removed?.event?.data).toMatchObject({ uploadId: upload.uploadId, state: 'removed', stateReason: 'deleted' });
    expect(removed?.webhookId).not.toBe(first?.webhookId);
    // The receiver has answered 204; the sender marks the row delivered just after it reads that answer.
    const settled = async () => (await local.store.outbox?.list())?.every((row) => row.status !== 'pending') ?? false;
    await waitFor('the outbox marks both delivered', settled, 20_000, 50);
    expect(await local.store.outbox?.list()).toMatchObject([
      { type: expect.any(String), status: 'delivered' },
      { type: expect.any(String), status: 'delivered' },
    ]);
  }, 60_000);

  it.skipIf(!existsSync(CHROMIUM))(
    'shows each delivery on the demo page: status, attempts, latency',
    async () => {
      const routes = JSON.parse(await readFile('local/routes.json', 'utf8'));
      const local = await startTestServer({ routes, eventEnv: FAST_HOOKS, hooksEveryMs: 100 });
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
      stop = async () => {
        await browser.close();
        await local.stop();
      };
      // The first attempt answered 500, the second taken: the column says delivered after 2 attempts.
      local.setFaults({ hook: (_id, attempt) => (attempt === 1 ? 'error' : 'deliver') });
      const upload = await putThrough(local, { name: 'notes.txt', body: 'shown on the page' });
      await waitFor(
        'the retry delivered',
        async () => local.hooks.attempts.some((a) => a.answered === 204),
        20_000,
        50,
      );
      const page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
      await page.goto(`${local.url}/plain`);
      const cell = page.locator(`tr:has-text("notes.txt") td.c-hooks`);
      await cell.locator('text=delivered').waitFor({ timeout: 20_000 });
      expect(await cell.textContent()).toMatch(/^delivered2\u00a0attempts\u00a0· \d+\.\d\d\u00a0s$/);
      expect(await cell.getAttribute('title')).toContain('upload.recorded: delivered, 2 attempts');
      await mkdir('test-output/browser', { recursive: true });
      await page.screenshot({ path: 'test-output/browser/hooks-column.png', fullPage: true });
      expect(upload.status).toBe(200);
    },
    60_000,
  );
});
