/**
 * Deletes in the local OSS and the events they emit, asserted where FC would receive them: the FC-shaped events
 * the event sender hands to `invoke`, parsed as upload-event parses them. DeleteObject and DeleteMultipleObjects
 * over HTTP, signed as a server signs them; fault injection applies to removal events as to created ones.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readCappedBody } from '../../../local/body';
import type { FaultPlan } from '../../../local/faults';
import { MAX_DELETE_BODY_BYTES, MAX_DELETE_KEYS } from '../../../local/oss/deletion';
import { OssEventSender } from '../../../local/oss/events';
import { LocalOss } from '../../../local/oss/index';
import { systemClock } from '../../../shared/clock';
import { silentLogger } from '../../../shared/log';
import { escapeXml, objectUrl, presignV4, withQuery } from '../../../shared/oss';
import { createOssClient, deleteObject, headObject, type OssClient, OssRequestError } from '../../../shared/oss-client';
import { type ObjectEvent, parseTriggerEvent } from '../../../shared/platform/trigger-events';

const BUCKET = 'deletion-bucket';
const credentials = { accessKeyId: 'deletion-test', accessKeySecret: randomBytes(24).toString('base64url') };
let dir: string;
let server: Server;
let url: string;
let client: OssClient;
let sender: OssEventSender;
let plan: FaultPlan = {};
/** Every event handed to the function, parsed: one entry per invocation. */
let invoked: ObjectEvent[][] = [];
/** How many coming invocations fail (the function answers an error), to see FC's retry. */
let failNext = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ouc-deletion-'));
  sender = new OssEventSender({
    bucket: BUCKET,
    region: 'cn-hangzhou',
    accountId: 'local',
    invoke: async (event) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('function failed');
      }
      const parsed = parseTriggerEvent(event);
      if (parsed.kind !== 'oss') throw new Error(`not an OSS event: ${parsed.kind}`);
      invoked.push(parsed.records.map((r) => (r.ok ? r.record : ({ key: `bad: ${r.reason}` } as ObjectEvent))));
    },
    faults: () => plan,
    logger: silentLogger,
    retryDelayMs: 1,
  });
  const oss = new LocalOss({
    bucket: BUCKET,
    dir,
    credentials: (id) => (id === credentials.accessKeyId ? { secret: credentials.accessKeySecret } : undefined),
    callback: { privateKeyPem: '', keyUrl: '' },
    onStored: sender.onStored,
    onRemoved: sender.onRemoved,
  });
  server = createServer((req, res) => {
    readCappedBody(req, oss.bodyLimit(req.method ?? 'GET'))
      .then((body) => (body ? oss.handle(req, res, body) : oss.refuseTooLarge(res)))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = createOssClient({
    location: { bucket: BUCKET, region: 'cn-hangzhou', endpoint: url, addressing: 'path' },
    credentials,
    clock: systemClock,
  });
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  plan = {};
  invoked = [];
  failNext = 0;
});

/** Stores `key` with a presigned PUT, then forgets its created event. */
async function put(key: string): Promise<void> {
  const location = { bucket: BUCKET, region: 'cn-hangzhou', endpoint: url, addressing: 'path' as const };
  const { query } = presignV4({ method: 'PUT', bucket: BUCKET, key, headers: {} }, credentials, {
    region: 'cn-hangzhou',
    now: new Date(),
    expiresSeconds: 60,
  });
  const res = await fetch(withQuery(objectUrl(location, key), query), { method: 'PUT', body: Buffer.from(key) });
  expect(res.status).toBe(200);
  await sender.idle();
  invoked = [];
}

const deleteXml = (keys: string[], quiet?: boolean) =>
  `<?xml version="1.0" encoding="UTF-8"?><Delete>${quiet === undefined ? '' : `<Quiet>${quiet}</Quiet>`}${keys
    .map((k) => `<Object><Key>${escapeXml(k)}</Key></Object>`)
    .join('')}</Delete>`;

const md5 = (body: string) => createHash('md5').update(body).digest('base64');

/** DeleteMultipleObjects, signed; `Content-MD5` of the body unless `digest` says otherwise (null: none). */
function deleteObjects(body: string, digest: string | null = md5(body)) {
  // fetch would add an unsigned text/plain Content-Type to a string body: sign one.
  const headers = { 'Content-Type': 'application/xml', ...(digest === null ? {} : { 'Content-MD5': digest }) };
  return client.send({ method: 'POST', query: { delete: '' }, headers, body });
}

const code = async (call: Promise<unknown>) => {
  try {
    await call;
    return 'ok';
  } catch (error) {
    return error instanceof OssRequestError ? error.code : String(error);
  }
};

const deletedKeys = (xml: string) => [...xml.matchAll(/<Deleted>\s*<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);

describe('DeleteObject', () => {
  it('answers 204 and emits one ObjectRemoved:DeleteObject event naming the key', async () => {
    await put('gone/one.txt');
    const answer = await client.send({ method: 'DELETE', key: 'gone/one.txt' });
    expect(answer.status).toBe(204);
    expect(await headObject(client, 'gone/one.txt')).toBeUndefined();
    await sender.idle();
    expect(invoked).toHaveLength(1);
    expect(invoked[0]).toEqual([
      expect.objectContaining({
        change: 'removed',
        operation: 'DeleteObject',
        bucket: BUCKET,
        key: 'gone/one.txt',
        requestId: answer.requestId,
        sourceIp: '127.0.0.1',
      }),
    ]);
    expect(invoked[0]?.[0]).not.toHaveProperty('size');
  });

  it('answers 204 for a key that is not there, as OSS does, and emits nothing', async () => {
    expect(await code(deleteObject(client, 'never/was.txt'))).toBe('ok');
    await sender.idle();
    expect(invoked).toEqual([]);
  });

  it('refuses an unsigned delete', async () => {
    await put('kept/unsigned.txt');
    const res = await fetch(`${url}/${BUCKET}/kept/unsigned.txt`, { method: 'DELETE' });
    expect(res.status).toBe(403);
    expect(await headObject(client, 'kept/unsigned.txt')).toBeDefined();
  });
});

describe('DeleteMultipleObjects', () => {
  it('reports every key deleted, missing ones too, and emits one DeleteObjects event with a record per removed key', async () => {
    for (const key of ['batch/a', 'batch/c & <d>.txt', 'batch/ü']) await put(key);
    const keys = ['batch/a', 'batch/missing', 'batch/c & <d>.txt', 'batch/ü'];
    const answer = await deleteObjects(deleteXml(keys));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/xml');
    expect(answer.body).toContain('<DeleteResult>');
    expect(deletedKeys(answer.body)).toEqual(['batch/a', 'batch/missing', 'batch/c &amp; &lt;d&gt;.txt', 'batch/ü']);
    for (const key of keys) expect(await headObject(client, key)).toBeUndefined();
    await sender.idle();
    expect(invoked).toHaveLength(1);
    expect(invoked[0]?.map((r) => [r.change, r.operation, r.key, r.requestId])).toEqual(
      ['batch/a', 'batch/c & <d>.txt', 'batch/ü'].map((key) => ['removed', 'DeleteObjects', key, answer.requestId]),
    );
  });

  it('answers Quiet with 200 and no body, and still emits the event', async () => {
    await put('quiet/a');
    const answer = await deleteObjects(deleteXml(['quiet/a', 'quiet/b'], true));
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    await sender.idle();
    expect(invoked.map((records) => records.map((r) => r.key))).toEqual([['quiet/a']]);
  });

  it('emits nothing when none of the keys was there', async () => {
    const answer = await deleteObjects(deleteXml(['none/a', 'none/b'], false));
    expect(deletedKeys(answer.body)).toEqual(['none/a', 'none/b']);
    await sender.idle();
    expect(invoked).toEqual([]);
  });

  it('removes a key listed twice once, with one record', async () => {
    await put('twice/a');
    await deleteObjects(deleteXml(['twice/a', 'twice/a']));
    await sender.idle();
    expect(invoked.map((records) => records.map((r) => r.key))).toEqual([['twice/a']]);
  });

  it('needs a Content-MD5 that matches the body, and deletes nothing without one', async () => {
    await put('digest/a');
    const body = deleteXml(['digest/a']);
    expect(await code(deleteObjects(body, null))).toBe('MissingArgument');
    expect(await code(deleteObjects(body, md5(`${body} `)))).toBe('InvalidDigest');
    expect(await headObject(client, 'digest/a')).toBeDefined();
    await sender.idle();
    expect(invoked).toEqual([]);
  });

  it(`refuses malformed lists as MalformedXML: over ${MAX_DELETE_KEYS} keys or 2 MB, no key, an empty key, a bad Quiet`, async () => {
    const tooMany = Array.from({ length: MAX_DELETE_KEYS + 1 }, (_, i) => `many/${i}`);
    expect(await code(deleteObjects(deleteXml(tooMany)))).toBe('MalformedXML');
    expect(await code(deleteObjects(deleteXml([])))).toBe('MalformedXML');
    expect(await code(deleteObjects(deleteXml([''])))).toBe('MalformedXML');
    expect(await code(deleteObjects('<Delete><Quiet>yes</Quiet><Object><Key>a</Key></Object></Delete>'))).toBe(
      'MalformedXML',
    );
    expect(await code(deleteObjects('not xml'))).toBe('MalformedXML');
    expect(await code(deleteObjects(deleteXml(['big']).padEnd(MAX_DELETE_BODY_BYTES + 1)))).toBe('MalformedXML');
    const most = Array.from({ length: MAX_DELETE_KEYS }, (_, i) => `most/${i}`);
    expect(deletedKeys((await deleteObjects(deleteXml(most))).body)).toHaveLength(MAX_DELETE_KEYS);
  });

  it('refuses an unsigned request rather than taking it for a PostObject form', async () => {
    const body = deleteXml(['x']);
    const res = await fetch(`${url}/${BUCKET}/?delete`, {
      method: 'POST',
      headers: { 'content-md5': md5(body) },
      body,
    });
    expect(res.status).toBe(403);
  });
});

describe('fault injection on removal events', () => {
  it('asks the plan about the first removed key, and drops, delays or duplicates the event as told', async () => {
    const asked: string[] = [];
    plan = {
      event(key) {
        asked.push(key);
        if (key.startsWith('drop/')) return { drop: true };
        if (key.startsWith('twice/')) return { duplicates: 1, delayMs: 5 };
        return {};
      },
    };
    for (const key of ['drop/a', 'twice/b', 'twice/c']) await put(key);
    asked.length = 0;
    const dropped = sender.stats.dropped;
    await client.send({ method: 'DELETE', key: 'drop/a' });
    await deleteObjects(deleteXml(['twice/b', 'twice/c']));
    await sender.idle();
    expect(asked).toEqual(['drop/a', 'twice/b']);
    expect(sender.stats.dropped).toBe(dropped + 1);
    expect(invoked.map((records) => records.map((r) => r.key))).toEqual([
      ['twice/b', 'twice/c'],
      ['twice/b', 'twice/c'],
    ]);
  });

  it('retries a failed invocation of a removal event, as FC retries', async () => {
    await put('retry/a');
    failNext = 1;
    const before = { ...sender.stats };
    await client.send({ method: 'DELETE', key: 'retry/a' });
    await sender.idle();
    expect(invoked.map((records) => records.map((r) => r.key))).toEqual([['retry/a']]);
    expect(sender.stats.invocations - before.invocations).toBe(2);
    expect(sender.stats.failed).toBe(before.failed);
  });
});
