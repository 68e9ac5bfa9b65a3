/**
 * Parses what OSS posts (form by default, JSON when configured) into typed fields. zod at the edge (a
 * hand-written twin of its schema answers first, property-tested against it); crc64 is kept as exact decimal
 * text (a bare 64-bit number in JSON would lose precision in JSON.parse).
 */
import * as z from 'zod/mini';
import '../../shared/zod-messages';
import { badRequest } from '../../shared/errors';
import { duplicateJsonKey } from './json-duplicates';

/** The schema's transforms, shared with its hand-written twin `checkedFields` below. */
const textOrNull = (v: string | undefined) => (v === undefined || v === '' ? null : v);
/**
 * An image side as the record's `integer` column holds it. OSS reads it from the file's own header, which the
 * uploader writes: a side over 2^31 − 1 is not a reason to refuse the upload's callback (it was refused with
 * 400, leaving the upload to upload-event), only to record no such side.
 */
const MAX_IMAGE_SIDE = 2 ** 31 - 1;
const imageSideOrNull = (v: string | undefined) => {
  if (v === undefined || v === '') return null;
  const side = Number(v);
  return side <= MAX_IMAGE_SIDE ? side : null;
};
const crc64OrNull = (v: string | undefined) => (v ? v : null);
const BYTE_COUNT = /^\d{1,16}$/;
const IMAGE_SIDE = /^\d{0,20}$/;
const CRC64 = /^\d{0,20}$/;

const optionalText = z.pipe(z.optional(z.string()), z.transform(textOrNull));
const optionalImageSide = z.pipe(z.optional(z.string().check(z.regex(IMAGE_SIDE))), z.transform(imageSideOrNull));

export const callbackBodySchema = z.object({
  bucket: z.string().check(z.minLength(1)),
  object: z.string().check(z.minLength(1)),
  etag: z.string().check(z.minLength(1)),
  size: z.pipe(z.string().check(z.regex(BYTE_COUNT, 'must be a byte count')), z.transform(Number)),
  mimeType: z.string().check(z.minLength(1)),
  'imageInfo.height': optionalImageSide,
  'imageInfo.width': optionalImageSide,
  'imageInfo.format': optionalText,
  crc64: z.pipe(z.optional(z.string().check(z.regex(CRC64, 'must be decimal digits'))), z.transform(crc64OrNull)),
  contentMd5: optionalText,
  vpcId: optionalText,
  clientIp: optionalText,
  reqId: optionalText,
  operation: optionalText,
});

type SchemaOutput = z.infer<typeof callbackBodySchema>;

/**
 * What `callbackBodySchema.safeParse` returns for these fields when it succeeds (the same keys in the same
 * order), or undefined where it fails: zod then parses again for its message. Every value here is a string,
 * which is all the schema has to tell apart. zod's safeParse, and the object built for it, would be ~4% of the
 * callback's profile; test/functions/upload-callback/callback-body.property.test.ts checks both agree.
 */
export function checkedFields(fields: ReadonlyMap<string, string>): SchemaOutput | undefined {
  const bucket = fields.get('bucket');
  const object = fields.get('object');
  const etag = fields.get('etag');
  const size = fields.get('size');
  const mimeType = fields.get('mimeType');
  if (!bucket || !object || !etag || !mimeType || size === undefined || !BYTE_COUNT.test(size)) return undefined;
  const height = fields.get('imageInfo.height');
  const width = fields.get('imageInfo.width');
  const crc64 = fields.get('crc64');
  if (height !== undefined && !IMAGE_SIDE.test(height)) return undefined;
  if (width !== undefined && !IMAGE_SIDE.test(width)) return undefined;
  if (crc64 !== undefined && !CRC64.test(crc64)) return undefined;
  return {
    bucket,
    object,
    etag,
    size: Number(size),
    mimeType,
    'imageInfo.height': imageSideOrNull(height),
    'imageInfo.width': imageSideOrNull(width),
    'imageInfo.format': textOrNull(fields.get('imageInfo.format')),
    crc64: crc64OrNull(crc64),
    contentMd5: textOrNull(fields.get('contentMd5')),
    vpcId: textOrNull(fields.get('vpcId')),
    clientIp: textOrNull(fields.get('clientIp')),
    reqId: textOrNull(fields.get('reqId')),
    operation: textOrNull(fields.get('operation')),
  };
}

export type CallbackBody = SchemaOutput & { vars: Record<string, string> };

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
  const fields = checkedFields(parsed) ?? schemaFields(parsed);
  // A fresh object either way: add to it (a spread literal of its 15 keys is V8's slow path, profiled).
  return Object.assign(fields, { vars: Object.fromEntries(vars) });
}

/** zod's answer, for a body the hand-written check refused: the same refusal, with zod's message. */
function schemaFields(parsed: Map<string, string>): SchemaOutput {
  const result = callbackBodySchema.safeParse(Object.fromEntries(parsed));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw badRequest(
      'MalformedCallbackBody',
      `callback field ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}
