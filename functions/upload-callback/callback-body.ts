/**
 * Parses what OSS posts (form by default, JSON when configured) into typed fields. zod at the edge; crc64 is
 * kept as exact decimal text (a bare 64-bit number in JSON would lose precision in JSON.parse).
 */
import * as z from 'zod/mini';
import '../../shared/zod-messages';
import { badRequest } from '../../shared/errors';
import { duplicateJsonKey } from './json-duplicates';

const optionalText = z.pipe(
  z.optional(z.string()),
  z.transform((v) => (v === undefined || v === '' ? null : v)),
);
const optionalInt = z.pipe(
  z.optional(z.string().check(z.regex(/^\d{0,9}$/))),
  z.transform((v) => (v === undefined || v === '' ? null : Number(v))),
);

export const callbackBodySchema = z.object({
  bucket: z.string().check(z.minLength(1)),
  object: z.string().check(z.minLength(1)),
  etag: z.string().check(z.minLength(1)),
  size: z.pipe(z.string().check(z.regex(/^\d{1,16}$/, 'must be a byte count')), z.transform(Number)),
  mimeType: z.string().check(z.minLength(1)),
  'imageInfo.height': optionalInt,
  'imageInfo.width': optionalInt,
  'imageInfo.format': optionalText,
  crc64: z.pipe(
    z.optional(z.string().check(z.regex(/^\d{0,20}$/, 'must be decimal digits'))),
    z.transform((v) => (v ? v : null)),
  ),
  contentMd5: optionalText,
  vpcId: optionalText,
  clientIp: optionalText,
  reqId: optionalText,
  operation: optionalText,
});

export type CallbackBody = z.infer<typeof callbackBodySchema> & { vars: Record<string, string> };

/** Quotes a bare crc64 number so JSON.parse keeps every digit. */
const BARE_CRC64 = /("crc64"\s*:\s*)(\d+)/;

/** One value per field: with a repeat, which one was checked and which one meant would be the parser's choice. */
const repeatedField = (name: string) =>
  badRequest('MalformedCallbackBody', `callback field ${JSON.stringify(name)} appears more than once`);

function fieldsOf(contentType: string, raw: Buffer): Map<string, string> {
  const text = raw.toString('utf8');
  if (/^application\/json\b/i.test(contentType)) {
    const quoted = text.replace(BARE_CRC64, '$1"$2"');
    let parsed: unknown;
    try {
      parsed = JSON.parse(quoted);
    } catch {
      throw badRequest('MalformedCallbackBody', 'callback body is not valid JSON');
    }
    const repeated = duplicateJsonKey(quoted);
    if (repeated !== undefined) throw repeatedField(repeated);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw badRequest('MalformedCallbackBody', 'callback body is not a JSON object');
    }
    const out = new Map<string, string>();
    for (const [name, value] of Object.entries(parsed)) {
      if (value === null || value === undefined) continue;
      if (typeof value === 'object')
        throw badRequest('MalformedCallbackBody', `callback field ${name} is not a scalar`);
      out.set(name, String(value));
    }
    return out;
  }
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType) || contentType === '') {
    // URLSearchParams accepts both "+" and "%20" for spaces (OSS's choice is undocumented).
    const out = new Map<string, string>();
    for (const [name, value] of new URLSearchParams(text)) {
      if (out.has(name)) throw repeatedField(name);
      out.set(name, value);
    }
    return out;
  }
  throw badRequest('MalformedCallbackBody', `callback body type ${contentType} is not form or JSON`);
}

export function parseCallbackBody(contentType: string, raw: Buffer): CallbackBody {
  const parsed = fieldsOf(contentType, raw);
  // One pass: U+0000 anywhere, and the custom variables in body order.
  let nul = false;
  const vars: [string, string][] = [];
  for (const [name, value] of parsed) {
    if (name.includes('\0') || value.includes('\0')) nul = true;
    if (name.startsWith('x:')) vars.push([name, value]);
  }
  // PostgreSQL text and jsonb cannot hold U+0000: refused here as a bad body, not failed later as a 500.
  if (nul) throw badRequest('MalformedCallbackBody', 'callback fields must not contain U+0000');
  const result = callbackBodySchema.safeParse(Object.fromEntries(parsed));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw badRequest(
      'MalformedCallbackBody',
      `callback field ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  // zod's output is a fresh object: add to it (a spread literal of its 15 keys is V8's slow path, profiled).
  return Object.assign(result.data, { vars: Object.fromEntries(vars) });
}
