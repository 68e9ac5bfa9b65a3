/** The local run's fault injection for callbacks: slow past OSS's wait, and rates set through POST /dev/faults. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, waitFor, xmlCode } from '../helpers/local';

let local: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  local = await startTestServer({ callbackTimeoutMs: 300, eventRetryDelayMs: 20 });
});
afterAll(async () => local?.stop());

async function upload(name: string) {
  const { token } = (await (await fetch(`${local.url}/dev/token`, { method: 'POST', body: '{}' })).json()) as {
    token: string;
  };
  const signed = (await (
    await fetch(`${local.url}/sign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ filename: name, contentType: 'text/plain', size: 5 }),
    })
  ).json()) as { uploadId: string; put: { url: string; headers: Record<string, string> } };
  const res = await fetch(signed.put.url, { method: 'PUT', headers: signed.put.headers, body: 'hello' });
  return { signed, res };
}

describe('callback faults', () => {
  it('a callback slower than OSS waits: the client gets 203, and the late callback still counts', async () => {
    local.setFaults({ callback: () => ({ slowMs: 600 }) });
    const { signed, res } = await upload('slow.txt');
    expect(res.status).toBe(203);
    expect(await res.text()).toContain('Cost too long time');
    await local.events.idle();
    // The callback finishes 600 ms after OSS stopped waiting for it: waited for as a condition, not a duration.
    await waitFor(
      'the late callback recorded',
      async () => (await local.store.get(signed.uploadId))?.callbackCount === 1,
      15_000,
      50,
    );
    expect(await local.store.get(signed.uploadId)).toMatchObject({ callbackCount: 1, eventCount: 1 });
    local.setFaults({});
  });

  it('POST /dev/faults sets rates; a bad body is refused with 400 and changes nothing', async () => {
    const bad = await fetch(`${local.url}/dev/faults`, { method: 'POST', body: '{"callback":{"drop":2}}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.code).toBe('InvalidFaults');
    expect((await upload('ok.txt')).res.status).toBe(200);

    const set = await fetch(`${local.url}/dev/faults`, { method: 'POST', body: '{"callback":{"drop":1}}' });
    expect(set.status).toBe(204);
    const { signed, res } = await upload('dropped.txt');
    expect(res.status).toBe(203);
    expect(xmlCode(await res.text())).toBe('CallbackFailed');
    await local.events.idle();
    expect(await local.store.get(signed.uploadId)).toMatchObject({
      callbackCount: 0,
      eventCount: 1,
      firstSource: 'event',
    });
    await fetch(`${local.url}/dev/faults`, { method: 'POST', body: '{}' });
  });
});
