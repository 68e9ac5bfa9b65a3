import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VECTOR_DIR } from '../../../local/fixtures/vectors';
import { UnsupportedEventError } from '../../../shared/platform';
import { buildOssTriggerEvent, parseTriggerEvent } from '../../../shared/platform/trigger-events';

/** The published samples, byte for byte, as the Buffer FC hands the function. */
const sample = (name: string) => readFileSync(`${VECTOR_DIR}fc-events/${name}`);

describe('FC 3.0 trigger events', () => {
  it('reads the FC help page OSS trigger sample (masked values kept)', () => {
    expect(parseTriggerEvent(sample('oss-trigger-fc-help.json'))).toEqual({
      kind: 'oss',
      records: [
        {
          ok: true,
          record: {
            change: 'created',
            operation: 'PutObject',
            bucket: 'testbucket',
            key: 'source/a.png',
            etag: '688A7BF4F233DC9C88A80BF985AB****',
            size: 122539,
            time: new Date('2022-08-13T06:45:43.000Z'),
            region: 'cn-hangzhou',
            requestId: '58F9FF2D3DF792092E12044C',
            sourceIp: '140.205.XX.XX',
          },
        },
      ],
    });
  });

  it('reads the fc3 component template OSS event', () => {
    const event = parseTriggerEvent(sample('oss-trigger-fc3-template.json'));
    expect(event).toMatchObject({
      kind: 'oss',
      records: [
        { ok: true, record: { bucket: 'testbucket', key: 'image/a.jpg', etag: '688A7BF4F233DC9C88A80BF985AB7329' } },
      ],
    });
  });

  it('reads the timer trigger sample', () => {
    expect(parseTriggerEvent(sample('timer-trigger-fc-help.json'))).toEqual({
      kind: 'timer',
      time: new Date('2018-02-09T05:49:00Z'),
      name: 'timer-trigger',
      payload: 'awesome-fc',
    });
  });

  it('reads a Lambda schedule: EventBridge Scheduler input {"action":"sweep"} or a scheduled rule', () => {
    expect(parseTriggerEvent({ action: 'sweep' }).kind).toBe('schedule');
    expect(
      parseTriggerEvent({
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        time: '2026-11-25T06:00:00Z',
        detail: {},
      }),
    ).toEqual({ kind: 'schedule', time: new Date('2026-11-25T06:00:00Z') });
  });

  it('parses a multi-record event record by record: one bad record does not hide the others', () => {
    const one = JSON.parse(sample('oss-trigger-fc-help.json').toString('utf8')).events[0];
    const event = parseTriggerEvent(
      Buffer.from(
        JSON.stringify({
          events: [
            one,
            { ...one, eventName: 'ObjectRemoved:DeleteObject' },
            { ...one, eventName: 'ObjectRemoved:RestoreObject' },
            { ...one, oss: { ...one.oss, object: {} } },
            'nonsense',
            { ...one, eventName: 'ObjectCreated:CompleteMultipartUpload' },
          ],
        }),
      ),
    );
    if (event.kind !== 'oss') throw new Error('not an oss event');
    expect(event.records.map((r) => (r.ok ? r.record.operation : r.reason))).toEqual([
      'PutObject',
      'DeleteObject',
      'not an object event we handle: ObjectRemoved:RestoreObject',
      'record names no bucket or key',
      'record is not an object',
      'CompleteMultipartUpload',
    ]);
  });

  it('never skips a record over a field it does not use (eventTime, size, etag, region)', () => {
    const one = JSON.parse(sample('oss-trigger-fc-help.json').toString('utf8')).events[0];
    const event = parseTriggerEvent({
      events: [
        { ...one, eventTime: 'not a time' },
        {
          ...one,
          eventTime: undefined,
          region: 42,
          oss: { ...one.oss, object: { key: one.oss.object.key, size: 'x' } },
        },
      ],
    });
    if (event.kind !== 'oss') throw new Error('not an oss event');
    expect(event.records.map((r) => r.ok && r.record.key)).toEqual([one.oss.object.key, one.oss.object.key]);
    expect(event.records[1]).toMatchObject({ ok: true, record: { bucket: one.oss.bucket.name } });
  });

  it('keeps the request id and source IP hints only when shaped like what OSS sends', () => {
    const one = JSON.parse(sample('oss-trigger-fc-help.json').toString('utf8')).events[0];
    const hints = (requestId: unknown, sourceIPAddress: unknown) => {
      const event = parseTriggerEvent({
        events: [{ ...one, responseElements: { requestId }, requestParameters: { sourceIPAddress } }],
      });
      if (event.kind !== 'oss' || !event.records[0]?.ok) throw new Error('the record was not kept');
      const { requestId: id, sourceIp } = event.records[0].record;
      return { id, sourceIp };
    };
    expect(hints('58F9FF2D3DF792092E12044C', '140.205.***.***')).toEqual({
      id: '58F9FF2D3DF792092E12044C',
      sourceIp: '140.205.***.***',
    });
    expect(hints('5B9C', '2001:db8::1')).toEqual({ id: '5B9C', sourceIp: '2001:db8::1' });
    for (const [requestId, sourceIp] of [
      ['REQ\u0000', '1.2.3.4\u0000'],
      ['R'.repeat(1_000_000), '1'.repeat(1_000_000)],
      ['', ''],
      [7, { ip: 1 }],
    ]) {
      expect(hints(requestId, sourceIp)).toEqual({ id: undefined, sourceIp: undefined });
    }
  });

  it('refuses what is not a trigger event with a typed error', () => {
    for (const input of [Buffer.from('not json'), Buffer.from('[]'), { version: 'v1' }, 'null'])
      expect(() => parseTriggerEvent(input)).toThrow(UnsupportedEventError);
  });

  it('the local OSS builds events the parser reads back', () => {
    const time = new Date('2026-11-25T06:00:00.000Z');
    const built = buildOssTriggerEvent(
      [
        {
          operation: 'PostObject',
          key: 'uploads/a/2026/11/x',
          etag: 'AB',
          size: 3,
          time,
          requestId: 'R',
          sourceIp: '1.2.3.4',
        },
        { operation: 'DeleteObjects', key: 'uploads/a/2026/11/y', time, requestId: 'R2', sourceIp: '1.2.3.4' },
      ],
      { bucket: 'b-local', region: 'cn-hangzhou', accountId: 'local' },
    );
    expect(parseTriggerEvent(built)).toEqual({
      kind: 'oss',
      records: [
        {
          ok: true,
          record: {
            change: 'created',
            operation: 'PostObject',
            bucket: 'b-local',
            key: 'uploads/a/2026/11/x',
            etag: 'AB',
            size: 3,
            time,
            region: 'cn-hangzhou',
            requestId: 'R',
            sourceIp: '1.2.3.4',
          },
        },
        {
          ok: true,
          record: {
            change: 'removed',
            operation: 'DeleteObjects',
            bucket: 'b-local',
            key: 'uploads/a/2026/11/y',
            time,
            region: 'cn-hangzhou',
            requestId: 'R2',
            sourceIp: '1.2.3.4',
          },
        },
      ],
    });
  });
});
