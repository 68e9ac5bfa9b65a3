/** The duplicate-key scan against a reference that decodes every key with JSON.parse (its previous form). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplicateJsonKey } from '../../../functions/upload-callback/json-duplicates';
import { anyText, runs } from '../../helpers/properties';

/** The first key repeated within one object of valid JSON `text`, every key decoded by JSON.parse. */
function reference(text: string): string | undefined {
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let at = 0; at < text.length; at++) {
    const c = text[at];
    if (c === '"') {
      let end = at + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      end += 1;
      const keys = open.at(-1);
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(at, end)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      expectKey = false;
      at = end - 1;
    } else if (c === '{') {
      open.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      open.push(null);
    } else if (c === '}' || c === ']') {
      open.pop();
    } else if (c === ',') {
      expectKey = open.at(-1) != null;
    }
  }
  return undefined;
}

/** A JSON string literal for `s`, some letters and digits written as \u escapes (the same key, spelled differently). */
function literal(s: string, escapes: boolean[]): string {
  const chars = [...s].map((ch, i) =>
    escapes[i % escapes.length] && /^[A-Za-z0-9]$/.test(ch)
      ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
      : JSON.stringify(ch).slice(1, -1),
  );
  return `"${chars.join('')}"`;
}

const key = fc.oneof(fc.constantFrom('bucket', 'object', 'size', 'x:a', '__proto__', ''), anyText(6));
const value: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 0 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc
      .array(fc.tuple(key, fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }), tie('v')), { maxLength: 5 })
      .map((pairs) => `{${pairs.map(([k, e, v]) => `${literal(k, e)}:${v}`).join(',')}}`),
    fc.array(tie('v'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
  ),
})).v;

describe('duplicate JSON keys', () => {
  it('names the same first repeated key as decoding every key, in any valid JSON', () => {
    fc.assert(
      fc.property(fc.oneof(value, fc.json()), (text) => {
        JSON.parse(text); // the scan's precondition
        expect(duplicateJsonKey(text)).toBe(reference(text));
      }),
      runs(),
    );
  });
});
