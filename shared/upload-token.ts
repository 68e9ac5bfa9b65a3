/**
 * The upload token: it binds a callback (in the callback URL's PATH: FC gives the callback function no raw
 * query) and a stored object (as user metadata) to exactly one signed upload, without a database lookup.
 *
 *   token   = base64url(payload) "." base64url(HMAC-SHA256(secret, "ouc2" ‖ lp(bucket) ‖ lp(key) ‖ payload))
 *   payload = version(1) ‖ id(16, the UUID's bytes) ‖ exp(u32) ‖ maxSize(u48) ‖ lp(contentType) ‖ lp(user)
 *             ‖ count(u8) ‖ count × (lp(name) ‖ lp16(value))            lp(x) = u8 length ‖ UTF-8 bytes
 *
 * The bucket and key are bound by the MAC but do not travel: whoever checks a token already holds the object it
 * names (a verified callback body, a HeadObject answer), so a token is valid only for that exact object, and
 * its size does not grow with the key. Every length is bounded (user ≤ 255 bytes, like OpenID Connect's `sub`),
 * so `maxTokenLength` gives the largest token a configuration can produce. Both parts must be the canonical
 * base64url of their bytes: the trailing bits a last character can carry are never a second spelling.
 * @see ../../shared/spec/oss-callback.md §10 rules 1–3
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UploadClaims {
  /** Upload id (UUID), the record's primary key. */
  id: string;
  bucket: string;
  key: string;
  /** Largest object size accepted, bytes. */
  maxSize: number;
  contentType: string;
  /** The authenticated user (`sub`), at most MAX_USER_BYTES of UTF-8. */
  user: string;
  /** Unix seconds after which the token is refused (upload expiry + grace). */
  exp: number;
  /** Custom callback variables the upload was signed with (`x:name` → value). */
  vars: Record<string, string>;
}

/** The object a token is checked against: it is part of the MAC, not of the token. */
export interface TokenObject {
  bucket: string;
  key: string;
}

export type TokenFailure = 'malformed-token' | 'bad-token-mac' | 'token-expired';
export type TokenResult = { ok: true; claims: UploadClaims } | { ok: false; reason: TokenFailure };

/**
 * The user-metadata header (a PostObject form field of the same name) that carries the upload token on the
 * object itself, so HeadObject proves what was signed without a database (oss-events-multipart.md §3).
 */
export const UPLOAD_TOKEN_META = 'x-oss-meta-upload-token';

/** OpenID Connect Core §2: `sub` "MUST NOT exceed 255 ASCII characters". */
export const MAX_USER_BYTES = 255;
export const MAX_CONTENT_TYPE_BYTES = 255;
export const MAX_VAR_NAME_BYTES = 255;
export const MAX_VAR_VALUE_BYTES = 65_535;
export const MAX_VARS = 255;
/** The largest token any valid claims can encode; the verifier refuses longer strings before any work. */
export const MAX_TOKEN_LENGTH = 8192;
/** u48: multipart objects reach 48.8 TB. */
const MAX_SIZE = 2 ** 48 - 1;

const VERSION = 2;
const DOMAIN = Buffer.from('ouc2', 'latin1');
const MAC_CHARS = 43;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

export class TokenClaimsError extends Error {
  override readonly name = 'TokenClaimsError';
}

/** Bytes of base64url text for `n` bytes, unpadded. */
const b64Length = (n: number) => Math.ceil((n * 4) / 3);

/** The token length for claims with these sizes (bytes): what sign-upload checks its limits against. */
export function maxTokenLength(sizes: {
  contentType: number;
  user: number;
  vars: { name: number; value: number }[];
}): number {
  const vars = sizes.vars.reduce((sum, v) => sum + 1 + v.name + 2 + v.value, 0);
  const payload = 1 + 16 + 4 + 6 + 1 + sizes.contentType + 1 + sizes.user + 1 + vars;
  return b64Length(payload) + 1 + MAC_CHARS;
}

/** A lone UTF-16 surrogate (JSON.parse makes one from "\ud800"): UTF-8 would turn it into U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** A length-prefixed UTF-8 field (`lp` or `lp16`), checked and measured before anything is written. */
interface Field {
  value: string;
  bytes: number;
  wide: boolean;
}

function field(value: string, max: number, what: string, wide = false): Field {
  // Refused rather than encoded: the token must carry exactly the claim, not a look-alike two claims share.
  if (LONE_SURROGATE.test(value)) throw new TokenClaimsError(`${what} is not well-formed Unicode`);
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > max) throw new TokenClaimsError(`${what} is longer than ${max} bytes`);
  return { value, bytes, wide };
}

const fieldsLength = (fields: Field[]) => fields.reduce((n, f) => n + (f.wide ? 2 : 1) + f.bytes, 0);

/** Writes `fields` at `at` into a buffer sized for them; returns the offset after the last. */
function writeFields(out: Buffer, at: number, fields: Field[]): number {
  let offset = at;
  for (const f of fields) {
    offset = f.wide ? out.writeUInt16BE(f.bytes, offset) : out.writeUInt8(f.bytes, offset);
    offset += out.write(f.value, offset, 'utf8');
  }
  return offset;
}

const FIXED_BYTES = 1 + 16 + 4 + 6;

/** One buffer, written in place: the same bytes as concatenating each part, without the parts. */
function encodePayload(claims: UploadClaims): Buffer {
  if (!UUID.test(claims.id)) throw new TokenClaimsError('id must be a lower-case UUID');
  if (!Number.isSafeInteger(claims.exp) || claims.exp < 0 || claims.exp > 0xffffffff)
    throw new TokenClaimsError('exp must be unix seconds');
  if (!Number.isSafeInteger(claims.maxSize) || claims.maxSize < 0 || claims.maxSize > MAX_SIZE)
    throw new TokenClaimsError('maxSize must be a whole number of bytes below 2^48');
  const vars = Object.entries(claims.vars);
  if (vars.length > MAX_VARS) throw new TokenClaimsError(`more than ${MAX_VARS} variables`);
  const head = [
    field(claims.contentType, MAX_CONTENT_TYPE_BYTES, 'contentType'),
    field(claims.user, MAX_USER_BYTES, 'user'),
  ];
  const tail: Field[] = [];
  for (const [name, value] of vars) {
    tail.push(
      field(name, MAX_VAR_NAME_BYTES, 'a variable name'),
      field(value, MAX_VAR_VALUE_BYTES, `variable ${name}`, true),
    );
  }
  const out = Buffer.allocUnsafe(FIXED_BYTES + fieldsLength(head) + 1 + fieldsLength(tail));
  out.writeUInt8(VERSION, 0);
  out.write(claims.id.replaceAll('-', ''), 1, 'hex');
  out.writeUInt32BE(claims.exp, 17);
  out.writeUIntBE(claims.maxSize, 21, 6);
  const at = out.writeUInt8(vars.length, writeFields(out, FIXED_BYTES, head));
  writeFields(out, at, tail);
  return out;
}

/** Reads the payload back; undefined for anything that is not exactly one well-formed payload. */
function decodePayload(bytes: Buffer): Omit<UploadClaims, 'bucket' | 'key'> | undefined {
  let at = 0;
  const take = (n: number): Buffer | undefined => {
    if (at + n > bytes.length) return undefined;
    at += n;
    return bytes.subarray(at - n, at);
  };
  const text = (wide = false): string | undefined => {
    const head = take(wide ? 2 : 1);
    if (!head) return undefined;
    const raw = take(wide ? head.readUInt16BE() : head.readUInt8());
    if (!raw) return undefined;
    const value = raw.toString('utf8');
    // Only a round-trip-exact string: invalid UTF-8 would decode to U+FFFD and re-encode differently.
    return Buffer.from(value, 'utf8').equals(raw) ? value : undefined;
  };
  const fixed = take(27);
  if (!fixed || fixed.readUInt8(0) !== VERSION) return undefined;
  const hex = fixed.subarray(1, 17).toString('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const exp = fixed.readUInt32BE(17);
  const maxSize = fixed.readUIntBE(21, 6);
  const contentType = text();
  const user = text();
  const count = take(1)?.readUInt8();
  if (contentType === undefined || user === undefined || count === undefined) return undefined;
  const vars: Record<string, string> = Object.create(null);
  for (let i = 0; i < count; i++) {
    const name = text();
    const value = text(true);
    if (name === undefined || value === undefined || Object.hasOwn(vars, name)) return undefined;
    vars[name] = value;
  }
  if (at !== bytes.length) return undefined;
  return { id, exp, maxSize, contentType, user, vars: { ...vars } };
}

/** HMAC over "ouc2" ‖ lp(bucket) ‖ lp16(key) ‖ payload, given to the HMAC as one buffer. */
function mac(secret: string, object: TokenObject, payload: Buffer): Buffer {
  const fields = [field(object.bucket, 255, 'bucket'), field(object.key, 65_535, 'key', true)];
  const input = Buffer.allocUnsafe(DOMAIN.length + fieldsLength(fields) + payload.length);
  DOMAIN.copy(input, 0);
  payload.copy(input, writeFields(input, DOMAIN.length, fields));
  return createHmac('sha256', secret).update(input).digest();
}

/** Throws TokenClaimsError when a claim is out of range (the caller answers 4xx). */
export function createUploadToken(claims: UploadClaims, secret: string): string {
  const payload = encodePayload(claims);
  return `${payload.toString('base64url')}.${mac(secret, claims, payload).toString('base64url')}`;
}

/** Strict base64url: only the canonical spelling of some bytes. */
function canonicalBytes(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** The token's shape alone (no secret): lets a caller refuse a path that names no upload before reading a body. */
export function isWellFormedToken(token: string): boolean {
  if (token.length > MAX_TOKEN_LENGTH || !TOKEN.test(token)) return false;
  const dot = token.indexOf('.');
  return canonicalBytes(token.slice(0, dot)) !== undefined && canonicalBytes(token.slice(dot + 1)) !== undefined;
}

export function verifyUploadToken(token: string, secret: string, now: Date, object: TokenObject): TokenResult {
  if (token.length > MAX_TOKEN_LENGTH || !TOKEN.test(token)) return { ok: false, reason: 'malformed-token' };
  const dot = token.indexOf('.');
  const payload = canonicalBytes(token.slice(0, dot));
  const received = canonicalBytes(token.slice(dot + 1));
  if (!payload || !received) return { ok: false, reason: 'malformed-token' };
  let expected: Buffer;
  try {
    expected = mac(secret, object, payload);
  } catch {
    return { ok: false, reason: 'bad-token-mac' }; // a bucket or key no token can name
  }
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, reason: 'bad-token-mac' };
  }
  const claims = decodePayload(payload);
  if (!claims) return { ok: false, reason: 'malformed-token' };
  if (now.getTime() / 1000 > claims.exp) return { ok: false, reason: 'token-expired' };
  // decodePayload's object is ours: extended in place, the same keys in the same order as a spread.
  return { ok: true, claims: Object.assign(claims, { bucket: object.bucket, key: object.key }) };
}
