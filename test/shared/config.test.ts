import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { parseConfig, previousSecrets } from '../../shared/config';
import { tokenSecrets } from '../../shared/proof';

const CURRENT = 'the-current-callback-token-secret-0123456789';
const OLD = 'an-old-callback-token-secret-0123456789abcdef';
const OLDER = 'an-older-callback-token-secret-0123456789abcd';
const schema = z.object({ CALLBACK_TOKEN_SECRET: z.string(), CALLBACK_TOKEN_PREVIOUS_SECRETS: previousSecrets });
const load = (previous?: string) =>
  parseConfig(schema, { CALLBACK_TOKEN_SECRET: CURRENT, CALLBACK_TOKEN_PREVIOUS_SECRETS: previous });

describe('CALLBACK_TOKEN_PREVIOUS_SECRETS', () => {
  it('is empty when unset or empty (one HMAC per verification, as before)', () => {
    expect(tokenSecrets(load())).toEqual({ secret: CURRENT, previous: [] });
    expect(tokenSecrets(load(''))).toEqual({ secret: CURRENT, previous: [] });
  });

  it('lists the previous secrets in order, spaces around commas trimmed', () => {
    expect(tokenSecrets(load(` ${OLD} , ${OLDER}`))).toEqual({ secret: CURRENT, previous: [OLD, OLDER] });
  });

  it('ignores the current secret and repeats in the list (harmless, never worth failing a cold start)', () => {
    expect(tokenSecrets(load(`${CURRENT},${OLD},${OLD}`))).toEqual({ secret: CURRENT, previous: [OLD] });
  });

  it.each([
    [
      'a short secret',
      'short',
      /^Invalid configuration: CALLBACK_TOKEN_PREVIOUS_SECRETS: secret 1 of 1 must be at least 32 characters/,
    ],
    [
      'a short second secret',
      `${OLD},short`,
      /^Invalid configuration: CALLBACK_TOKEN_PREVIOUS_SECRETS: secret 2 of 2 must be at least 32 characters/,
    ],
    [
      'four secrets',
      `${OLD},${OLDER},${OLD}x,${OLDER}x`,
      /^Invalid configuration: CALLBACK_TOKEN_PREVIOUS_SECRETS: must list at most 3/,
    ],
  ])('refuses %s with a message that names the variable, never a secret', (_name, value, message) => {
    expect(() => load(value)).toThrow(message);
    const thrown = (() => {
      try {
        load(value);
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const secret of value.split(',')) expect(thrown).not.toContain(secret);
  });
});
