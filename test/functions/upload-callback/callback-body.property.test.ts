/** Properties of the callback body parser: any input is a typed 400 or a valid result, and OSS's renderings parse back. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callbackBodySchema, checkedFields, parseCallbackBody } from '../../../functions/upload-callback/callback-body';
import { HttpError } from '../../../shared/errors';
import { callbackBodyTemplate, FORM_BODY_TYPE, JSON_BODY_TYPE, renderCallbackBody } from '../../../shared/oss';
import { anyText, runs } from '../../helpers/properties';

const FIELDS = ['bucket', 'object', 'etag', 'size', 'mimeType', 'crc64', 'imageInfo.width', 'reqId', 'x:album'];
const TYPES = [FORM_BODY_TYPE, JSON_BODY_TYPE, '', 'application/json; charset=utf-8', 'text/plain'];

/** Parses, and accepts only a result or the parser's one typed error. */
function parseOrRefuse(contentType: string, body: Buffer) {
  try {
    return parseCallbackBody(contentType, body);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 400, code: 'MalformedCallbackBody', message: expect.any(String) });
    return undefined;
  }
}

const name = fc.oneof(fc.constantFrom(...FIELDS, '__proto__', 'constructor', 'x:'), anyText(12));
const formBody = fc
  .array(fc.tuple(name, fc.oneof(fc.stringMatching(/^\d{1,20}$/), anyText(30))), { maxLength: 20 })
  .map((pairs) =>
    pairs
      .map(([k, v]) => {
        const enc = (s: string) => {
          try {
            return encodeURIComponent(s);
          } catch {
            return s; // a lone surrogate cannot be percent-encoded: send it raw
          }
        };
        return `${enc(k)}=${enc(v)}`;
      })
      .join('&'),
  );
const jsonValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.stringMatching(/^\d{1,25}$/).map(Number), anyText(20));
/** JSON objects written by hand, so keys can repeat and numbers can be bare. */
const jsonBody = fc
  .array(fc.tuple(name, jsonValue), { maxLength: 16 })
  .map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`);

describe('callback body parser properties', () => {
  it('answers any bytes, of any declared type, with a result or 400 MalformedCallbackBody', () => {
    const body = fc.oneof(
      anyText(300).map((s) => Buffer.from(s)),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      formBody.map((s) => Buffer.from(s)),
      jsonBody.map((s) => Buffer.from(s)),
      fc.json().map((s) => Buffer.from(s)),
    );
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), body, (type, raw) => {
        parseOrRefuse(type, raw);
      }),
      runs(),
    );
  });

  it('refuses every form or JSON body that repeats a field', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom(...FIELDS), fc.nat(5), (json, field, extra) => {
        const values = Object.fromEntries(FIELDS.map((f) => [f, '1']));
        const pairs = [...Object.entries(values), ...Array.from({ length: extra }, (_, i) => [`x:e${i}`, '1'])];
        pairs.push([field, '2']);
        const body = json
          ? `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`
          : pairs.map(([k, v]) => `${k}=${v}`).join('&');
        expect(parseOrRefuse(json ? JSON_BODY_TYPE : FORM_BODY_TYPE, Buffer.from(body))).toBeUndefined();
      }),
      runs(),
    );
  });

  it("parses back what OSS renders from our template, form or JSON, whatever the object's values", () => {
    const values = fc.record({
      bucket: fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/),
      // Any key but one holding U+0000, which the parser refuses (PostgreSQL cannot store it; we never sign one).
      object: fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }).filter((k) => !k.includes('\0')),
      etag: fc.stringMatching(/^[0-9A-F]{32}(-\d{1,5})?$/),
      size: fc.integer({ min: 0, max: 2 ** 48 }).map(String),
      mimeType: fc.stringMatching(/^[A-Za-z0-9!#$&^_.+-]{1,20}\/[A-Za-z0-9!#$&^_.+-]{1,20}$/),
      crc64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
      reqId: fc.stringMatching(/^[0-9A-F]{24}$/),
      'x:album': fc.stringMatching(/^[A-Za-z0-9._:-]{0,40}$/),
    });
    fc.assert(
      fc.property(fc.constantFrom(FORM_BODY_TYPE, JSON_BODY_TYPE), values, (bodyType, v) => {
        const template = callbackBodyTemplate({ custom: ['x:album'], bodyType });
        const body = renderCallbackBody(template, bodyType, v);
        const parsed = parseCallbackBody(bodyType, Buffer.from(body));
        expect(parsed).toMatchObject({
          bucket: v.bucket,
          object: v.object,
          etag: v.etag,
          size: Number(v.size),
          mimeType: v.mimeType,
          crc64: v.crc64,
          reqId: v.reqId,
          vars: { 'x:album': v['x:album'] },
        });
      }),
      runs(),
    );
  });

  it('checks fields by hand exactly as the zod schema does: the same output, or a refusal where zod refuses', () => {
    const SCHEMA_FIELDS = Object.keys(callbackBodySchema.def.shape);
    const value = fc.oneof(
      fc.constantFrom('', '0', '00', '-1', '1.5', '1e3', ' 1', '1 ', '\u0661', '１', 'NaN', '0x1F'),
      fc.stringMatching(/^\d{0,22}$/),
      anyText(12),
    );
    const fields = fc
      .uniqueArray(fc.tuple(fc.constantFrom(...SCHEMA_FIELDS, 'x:album', '__proto__', 'constructor'), value), {
        selector: ([name]) => name,
        maxLength: 18,
      })
      .chain((pairs) => fc.shuffledSubarray(pairs, { minLength: pairs.length }));
    // Mostly bodies holding every required field, so the optional fields' rules are reached too.
    const complete = fields.map((pairs) => {
      const names = new Set(pairs.map(([name]) => name));
      const required = [
        ['bucket', 'b'],
        ['object', 'k'],
        ['etag', 'E'],
        ['size', '10'],
        ['mimeType', 'm'],
      ].filter(([name]) => !names.has(name as string)) as [string, string][];
      return [...required, ...pairs];
    });
    fc.assert(
      fc.property(fc.oneof(fields, complete), (pairs) => {
        const map = new Map(pairs);
        const byZod = callbackBodySchema.safeParse(Object.fromEntries(map));
        const byHand = checkedFields(map);
        if (!byZod.success) {
          expect(byHand).toBeUndefined();
          return;
        }
        expect(byHand).toStrictEqual(byZod.data);
        expect(Object.keys(byHand ?? {})).toEqual(Object.keys(byZod.data));
      }),
      runs(),
    );
  });
});
