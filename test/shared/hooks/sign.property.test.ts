/**
 * Our node:crypto signer against the `standardwebhooks` package (the reference TypeScript library receivers
 * use): for any id, body and secret set, the package's `verify` accepts our headers with each secret, and
 * rejects them when the body, id or timestamp changed.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { isHookSecret, secretKey, webhookHeaders } from '../../../shared/hooks';

const secretArb = fc
  .uint8Array({ minLength: 24, maxLength: 64 })
  .map((b) => `whsec_${Buffer.from(b).toString('base64')}`);
const idArb = fc.stringMatching(/^msg_[A-Za-z0-9_]{1,40}$/);
const bodyArb = fc.json();

describe('Standard Webhooks signatures', () => {
  it('verify with the standardwebhooks package for every secret of the set', () => {
    fc.assert(
      fc.property(idArb, bodyArb, fc.array(secretArb, { minLength: 1, maxLength: 3 }), (id, body, secrets) => {
        const now = new Date();
        const headers = webhookHeaders({ id, body }, secrets.map(secretKey), now);
        expect(headers['webhook-signature']?.split(' ')).toHaveLength(secrets.length);
        for (const secret of secrets) expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
      }),
      { numRuns: 200 },
    );
  });

  it('fail verification when the body, id or timestamp was changed, or under another secret', () => {
    fc.assert(
      fc.property(idArb, bodyArb, secretArb, secretArb, (id, body, secret, other) => {
        fc.pre(secret !== other);
        const headers = webhookHeaders({ id, body }, [secretKey(secret)], new Date());
        const hook = new Webhook(secret);
        expect(() => hook.verify(`${body} `, headers)).toThrow();
        expect(() => hook.verify(body, { ...headers, 'webhook-id': `${id}x` })).toThrow();
        const ts = String(Number(headers['webhook-timestamp']) - 1);
        expect(() => hook.verify(body, { ...headers, 'webhook-timestamp': ts })).toThrow();
        expect(() => new Webhook(other).verify(body, headers)).toThrow();
      }),
      { numRuns: 100 },
    );
  });

  it('matches the package signature byte for byte', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const at = new Date('2026-12-07T10:00:00Z');
    const ours = webhookHeaders({ id: 'msg_1', body: '{"a":1}' }, [secretKey(secret)], at);
    expect(ours['webhook-signature']).toBe(new Webhook(secret).sign('msg_1', at, '{"a":1}'));
    expect(ours['webhook-timestamp']).toBe(String(at.getTime() / 1000));
  });

  it('takes only whsec_ secrets of 24 bytes or more', () => {
    expect(isHookSecret(`whsec_${randomBytes(24).toString('base64')}`)).toBe(true);
    expect(isHookSecret(`whsec_${randomBytes(16).toString('base64')}`)).toBe(false);
    expect(isHookSecret(randomBytes(32).toString('base64'))).toBe(false);
  });
});
