/**
 * The hook settings at the edges: where hooks go (private addresses refused unless allowed, as for the callback
 * URL), how they are signed and retried (bad secrets and schedules refused with a line naming the variable,
 * never a secret's value), and the retry delays' jitter.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadCallbackConfig } from '../../../functions/upload-callback/config';
import { loadEventConfig } from '../../../functions/upload-event/config';
import { hookTargets, parseSchedule, retryDelay } from '../../../shared/hooks';

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;
const EVENT = { CALLBACK_TOKEN_SECRET: 'x'.repeat(32), OSS_REGION: 'cn-hangzhou', OSS_BUCKET: 'my-bucket' };
const CALLBACK = { ...EVENT, CALLBACK_CONFIRM: 'true' };

describe('hook settings', () => {
  it('refuses a HOOK_URL on a private address unless HOOK_ALLOW_PRIVATE, in both recording functions', () => {
    for (const load of [loadEventConfig, loadCallbackConfig] as const) {
      const base = load === loadEventConfig ? EVENT : CALLBACK;
      expect(() => load({ ...base, HOOK_URL: 'http://10.0.0.5/hook', HOOK_SECRETS: secret() })).toThrow(
        'Invalid configuration: HOOK_URL: is a private address',
      );
      expect(
        load({
          ...base,
          HOOK_URL: 'http://127.0.0.1:9000/dev/hooks',
          HOOK_ALLOW_PRIVATE: 'true',
          HOOK_SECRETS: secret(),
        }).HOOK_URL,
      ).toBe('http://127.0.0.1:9000/dev/hooks');
    }
  });

  it('requires a whsec_ secret with HOOK_URL, and names a bad one by position only', () => {
    expect(() => loadEventConfig({ ...EVENT, HOOK_URL: 'https://hooks.example.com/h' })).toThrow(
      'Invalid configuration: HOOK_SECRETS: must list a whsec_ secret',
    );
    const bad = 'not-a-secret-but-long-enough-to-look-like-one';
    let message = '';
    try {
      loadEventConfig({ ...EVENT, HOOK_SECRETS: `${secret()},${bad}` });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('HOOK_SECRETS: secret 2 of 2 must be whsec_');
    expect(message).not.toContain(bad);
  });

  it('parses the retry schedule, refusing what is not a list of delays', () => {
    expect(loadEventConfig(EVENT).HOOK_RETRY_SCHEDULE).toEqual([
      60_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(parseSchedule('50ms, 2s,1d')).toEqual([50, 2000, 86_400_000]);
    expect(() => loadEventConfig({ ...EVENT, HOOK_RETRY_SCHEDULE: '1m,soon' })).toThrow(
      'HOOK_RETRY_SCHEDULE: "soon" is not a delay',
    );
  });

  it('draws each retry within ±20 % of its delay, and none after the last', () => {
    const schedule = [1000, 60_000];
    expect(retryDelay(schedule, 1, () => 0)).toBe(800);
    expect(retryDelay(schedule, 1, () => 0.999_999)).toBe(1200);
    expect(retryDelay(schedule, 2, () => 0.5)).toBe(60_000);
    expect(retryDelay(schedule, 3, () => 0.5)).toBeNull();
  });

  it("takes each route's own hook, else HOOK_URL, and none without either (nothing queued)", () => {
    const declaration = { routes: { avatar: { hook: { url: 'https://a.example.com/h' } }, docs: {} } };
    const urlOf = hookTargets(declaration, { HOOK_URL: 'https://default.example.com/h', HOOK_ALLOW_PRIVATE: false });
    expect([urlOf?.('avatar'), urlOf?.('docs')]).toEqual(['https://a.example.com/h', 'https://default.example.com/h']);
    expect(hookTargets(declaration, { HOOK_ALLOW_PRIVATE: false })?.('docs')).toBeUndefined();
    expect(hookTargets({ routes: { docs: {} } }, { HOOK_ALLOW_PRIVATE: false })).toBeUndefined();
    expect(hookTargets(undefined, { HOOK_ALLOW_PRIVATE: false })).toBeUndefined();
    expect(() =>
      hookTargets({ routes: { avatar: { hook: { url: 'http://192.168.1.2/h' } } } }, { HOOK_ALLOW_PRIVATE: false }),
    ).toThrow('routes.avatar.hook.url: is a private address');
  });
});
