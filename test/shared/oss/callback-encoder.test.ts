import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCallback, callbackBodyTemplate, callbackEncoder } from '../../../shared/oss';
import { anyText, runs } from '../../helpers/properties';

const outcome = (run: () => string) => {
  try {
    return { base64: run() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
};

describe('callbackEncoder', () => {
  it('gives what buildCallback gives for the complete URL, limit and refusals included (any suffix)', () => {
    const inputs = fc.record({
      url: fc.constantFrom(
        'https://cb.example.com/callback/',
        'http://cb.example.com/c/',
        'https://cb.example.com/x/',
        'https://cb.example.com/café/"q"\\/',
      ),
      body: fc.constantFrom(callbackBodyTemplate(), callbackBodyTemplate({ custom: ['x:album'] })),
      sni: fc.boolean(),
    });
    const suffix = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'AZaz09._-'), minLength: 1, maxLength: 5000 }),
      anyText(40),
    );
    fc.assert(
      fc.property(inputs, suffix, (input, s) => {
        expect(outcome(() => callbackEncoder(input)(s))).toEqual(
          outcome(() => buildCallback({ ...input, url: input.url + s }).base64),
        );
      }),
      runs(),
    );
  });

  it('refuses at once a base that buildCallback refuses', () => {
    expect(() => callbackEncoder({ url: 'https://127.0.0.1/cb/', body: callbackBodyTemplate() })).toThrow(
      /private callback addresses/,
    );
  });
});
