/**
 * check:deploy's hooks check on s.yaml as the project ships it (rendered by hand here: the fc3 props the check
 * reads), then with each setting it refuses.
 */
import { describe, expect, it } from 'vitest';
import type { Fc3Spec } from '../../../scripts/check-deploy/fc3-schema';
import { hooksTimer } from '../../../scripts/check-deploy/spec-checks';

function spec(event: Record<string, string> = {}, timer: { cron?: string; payload?: string } = {}, callbackUrl = '') {
  return {
    resources: {
      'upload-callback': { props: { environmentVariables: { HOOK_URL: callbackUrl } } },
      'upload-event': {
        props: {
          timeout: 300,
          environmentVariables: {
            HOOK_URL: '',
            HOOK_SECRETS: '',
            HOOK_TIMEOUT_MS: '10000',
            HOOK_RETRY_SCHEDULE: '1m,5m,30m,2h,5h,10h,10h',
            HOOK_BUDGET_SECONDS: '50',
            ...event,
          },
          triggers: [
            { triggerType: 'timer', triggerConfig: { cronExpression: '@every 30m', enable: true, payload: 'sweep' } },
            {
              triggerType: 'timer',
              triggerConfig: {
                cronExpression: timer.cron ?? '@every 1m',
                enable: true,
                payload: timer.payload ?? 'hooks',
              },
            },
          ],
        },
      },
    },
  } as unknown as Fc3Spec;
}

describe('check:deploy hooks timer', () => {
  it('accepts the shipped settings: a timer every minute for a first retry after a minute', () => {
    expect(hooksTimer(spec())).toBe(
      "upload-event's hooks timer every 60 s fits the first retry (60 s); no HOOK_URL (routes.json may name hooks)",
    );
    const url = 'https://hooks.example.com/u';
    expect(hooksTimer(spec({ HOOK_URL: url, HOOK_SECRETS: 'whsec_x' }, {}, url))).toContain(
      'hooks to hooks.example.com',
    );
  });

  it('refuses a timer slower than the first retry, or none', () => {
    expect(() => hooksTimer(spec({}, { cron: '@every 5m' }))).toThrow(/at most the first retry delay \(60 s/);
    expect(() => hooksTimer(spec({}, { payload: 'sweep' }))).toThrow(/timer trigger with payload hooks/);
  });

  it('refuses a run that cannot end within the timeout, a HOOK_URL only one function has, and one without secrets', () => {
    expect(() => hooksTimer(spec({ HOOK_BUDGET_SECONDS: '295' }))).toThrow(/timeout \(300 s\) must exceed/);
    const url = 'https://hooks.example.com/u';
    expect(() => hooksTimer(spec({ HOOK_URL: url, HOOK_SECRETS: 'whsec_x' }))).toThrow(/same HOOK_URL/);
    expect(() => hooksTimer(spec({ HOOK_URL: url }, {}, url))).toThrow(/HOOK_SECRETS must list/);
  });
});
