/**
 * The upload token: it binds a callback (in the callback URL's PATH: FC gives the callback function no raw
 * query) and a stored object (as user metadata) to exactly one signed upload, without a database lookup.
 *
 *   token   = base64url(payload) "." base64url(HMAC-SHA256(secret, "ouc2" ‖ lp(bucket) ‖ lp16(key) ‖ payload))
 *   payload = version(1) ‖ id(16, the UUID's bytes) ‖ exp(u32) ‖ maxSize(u48) ‖ lp(contentType) ‖ lp(user)
 *             ‖ count(u8) ‖ count × (lp(name) ‖ lp16(value))            lp(x) = u8 length ‖ UTF-8 bytes
 *             [v3: ‖ route rules (route-rules.ts: the route's name, minimum size, image limits, replacement)]
 *
 * The bucket and key are bound by the MAC but do not travel: whoever checks a token already holds the object it
 * names (a verified callback body, a HeadObject answer), so a token is valid only for that exact object, and
 * its size does not grow with the key. Every length is bounded (user ≤ 255 bytes, like OpenID Connect's `sub`),
 * so `maxTokenLength` gives the largest token a configuration can produce. Both parts must be the canonical
 * base64url of their bytes: the trailing bits a last character can carry are never a second spelling.
 * @see ../../shared/spec/oss-callback.md §10 rules 1–3
 */
import {
  type BoundObject,
  b64Length,
  boundMac,
  boundMacInput,
  checkedLength,
  MAC_CHARS,
  macOfInput,
  PayloadReader,
  secretOf,
  splitSigned,
  writeLengthPrefixed,
} from './mac-codec';
import { checkRouteRules, type RouteRules, readRouteRules, routeRulesBytes, writeRouteRules } from './route-rules';
import { isUploadId, uploadIdOf, writeUploadId } from './upload-id';

/**
 * With a route (v3), the rules of it every later path applies, whatever the declaration says by then. Without
 * (v2, signed before routes, or by a deployment that declares none): the deployment's default route.
 */
export interface UploadClaims extends RouteRules {
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
export type TokenObject = BoundObject;

export type TokenFailure = 'malformed-token' | 'bad-token-mac' | 'token-expired';
/** `previousSecret`: the token verified under CALLBACK_TOKEN_PREVIOUS_SECRETS' n-th secret, not the current one. */
export type TokenResult =
  | { ok: true; claims: UploadClaims; previousSecret?: number }
  | { ok: false; reason: TokenFailure };

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

/** v2: no route; v3: the route and its rules after the variables. */
const VERSION = 2;
const VERSION_ROUTED = 3;
/** version(1) ‖ id(16) ‖ exp(u32) ‖ maxSize(u48) */
const FIXED_BYTES = 1 + 16 + 4 + 6;
const DOMAIN = Buffer.from('ouc2', 'latin1');

export class TokenClaimsError extends Error {
  override readonly name = 'TokenClaimsError';
}

/** The token length for claims with these sizes (bytes): what sign-upload checks its limits against. */
export function maxTokenLength(sizes: {
  contentType: number;
  user: number;
  vars: { name: number; value: number }[];
  /** The route's name (v3); absent: a v2 token. */
  route?: number;
}): number {
  const vars = sizes.vars.reduce((sum, v) => sum + 1 + v.name + 2 + v.value, 0);
  const routed = sizes.route === undefined ? 0 : routeRulesBytes(sizes.route);
  const payload = 1 + 16 + 4 + 6 + 1 + sizes.contentType + 1 + sizes.user + 1 + vars + routed;
  return b64Length(payload) + 1 + MAC_CHARS;
}

/** Reads the payload back; undefined for anything that is not exactly one well-formed payload. */
function decodePayload(bytes: Buffer): Omit<UploadClaims, 'bucket' | 'key'> | undefined {
  const reader = new PayloadReader(bytes);
  const fixed = reader.take(27);
  const version = fixed?.readUInt8(0);
  if (!fixed || (version !== VERSION && version !== VERSION_ROUTED)) return undefined;
  const id = uploadIdOf(fixed.subarray(1, 17));
  const exp = fixed.readUInt32BE(17);
  const maxSize = fixed.readUIntBE(21, 6);
  const contentType = reader.text();
  const user = reader.text();
  const count = reader.take(1)?.readUInt8();
  if (contentType === undefined || user === undefined || count === undefined) return undefined;
  const vars = readVars(reader, count);
  if (!vars) return undefined;
  const claims = { id, exp, maxSize, contentType, user, vars };
  if (version === VERSION) return reader.done() ? claims : undefined;
  const rules = readRouteRules(reader);
  return rules && reader.done() ? Object.assign(claims, rules) : undefined;
}

/**
 * `count` distinct variables as a plain object (a `__proto__` name becomes an own property, as with a spread).
 * Gathered as entries, not into a null-prototype object spread afterwards: that object is dictionary-mode in
 * V8, and the spread is its slow path (this runs on every callback). At most 255 names, behind a verified MAC:
 * a linear scan for repeats.
 */
function readVars(reader: PayloadReader, count: number): Record<string, string> | undefined {
  const entries: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const name = reader.text();
    const value = reader.text(true);
    if (name === undefined || value === undefined || entries.some(([seen]) => seen === name)) return undefined;
    entries.push([name, value]);
  }
  return Object.fromEntries(entries);
}

const mac = (secret: string, object: TokenObject, payload: Buffer) =>
  boundMac(secret, DOMAIN, object, payload, TokenClaimsError);

/** One length-prefixed field of the token, its length checked (`wide`: lp16). */
interface Field {
  value: string;
  length: number;
  wide: boolean;
}

function field(value: string, max: number, what: string, wide = false): Field {
  return { value, length: checkedLength(value, max, what, TokenClaimsError), wide };
}

const fieldBytes = (f: Field) => (f.wide ? 2 : 1) + f.length;
const writeField = (out: Buffer, at: number, f: Field) => writeLengthPrefixed(out, at, f.value, f.length, f.wide);

/**
 * Every claim checked, in the order the payload is laid out; throws TokenClaimsError when one is out of range
 * (the bucket and key are checked after them, by boundMacInput). `vars`: each variable's name and value.
 */
function checkedClaims(claims: UploadClaims) {
  if (!isUploadId(claims.id)) throw new TokenClaimsError('id must be a lower-case UUID');
  if (!Number.isSafeInteger(claims.exp) || claims.exp < 0 || claims.exp > 0xffffffff)
    throw new TokenClaimsError('exp must be unix seconds');
  if (!Number.isSafeInteger(claims.maxSize) || claims.maxSize < 0 || claims.maxSize > MAX_SIZE)
    throw new TokenClaimsError('maxSize must be a whole number of bytes below 2^48');
  const vars = Object.entries(claims.vars);
  if (vars.length > MAX_VARS) throw new TokenClaimsError(`more than ${MAX_VARS} variables`);
  const contentType = field(claims.contentType, MAX_CONTENT_TYPE_BYTES, 'contentType');
  const user = field(claims.user, MAX_USER_BYTES, 'user');
  const texts: Field[] = [];
  for (const [name, value] of vars) {
    texts.push(
      field(name, MAX_VAR_NAME_BYTES, 'a variable name'),
      field(value, MAX_VAR_VALUE_BYTES, `variable ${name}`, true),
    );
  }
  const route = claims.route === undefined ? undefined : checkRouteRules(claims, TokenClaimsError);
  return { contentType, user, vars: texts, route };
}

/**
 * Throws TokenClaimsError when a claim is out of range (the caller answers 4xx).
 *
 * The payload is written straight into the MAC's input (boundMacInput) and MACed with one update, the token's
 * first part encoded from that buffer's payload tail: a buffer per field, a concat and an update per part cost
 * several times the HMAC itself on the sign path. The wire format is pinned by
 * test/shared/proof/upload-token.test.ts and cross-checked against a plain concatenating encoder in
 * test/shared/proof/upload-token.property.test.ts.
 */
export function createUploadToken(claims: UploadClaims, secret: string): string {
  const { contentType, user, vars, route } = checkedClaims(claims);
  let payloadBytes = FIXED_BYTES + fieldBytes(contentType) + fieldBytes(user) + 1;
  for (const text of vars) payloadBytes += fieldBytes(text);
  if (route) payloadBytes += route.bytes;
  const { input, payloadAt } = boundMacInput(DOMAIN, claims, payloadBytes, TokenClaimsError);
  let at = writeUploadId(input, input.writeUInt8(route ? VERSION_ROUTED : VERSION, payloadAt), claims.id);
  at = input.writeUIntBE(claims.maxSize, input.writeUInt32BE(claims.exp, at), 6);
  at = input.writeUInt8(vars.length / 2, writeField(input, writeField(input, at, contentType), user));
  for (const text of vars) at = writeField(input, at, text);
  if (route) writeRouteRules(input, at, route);
  return `${input.toString('base64url', payloadAt)}.${macOfInput(secret, input).toString('base64url')}`;
}

/** A token's two parts as their canonical bytes, not yet verified. */
export interface SignedToken {
  payload: Buffer;
  mac: Buffer;
}

/**
 * The token's shape alone (no secret), or undefined: lets a caller refuse a path that names no upload before
 * reading a body, then hand the parts to verifyUploadToken without decoding the text twice.
 */
export const readUploadToken = (token: string): SignedToken | undefined => splitSigned(token, MAX_TOKEN_LENGTH);

const NO_PREVIOUS: readonly string[] = [];

/**
 * Verifies a token (its text, or the parts readUploadToken returned) for the object it was checked against,
 * under `secret` or, while it is rotated, one of the `previous` secrets (verification only).
 */
export function verifyUploadToken(
  token: string | SignedToken,
  secret: string,
  now: Date,
  object: TokenObject,
  previous: readonly string[] = NO_PREVIOUS,
): TokenResult {
  const split = typeof token === 'string' ? readUploadToken(token) : token;
  if (!split) return { ok: false, reason: 'malformed-token' };
  const { payload, mac: received } = split;
  let generation: number;
  try {
    generation = secretOf(received, secret, previous, (s) => mac(s, object, payload));
  } catch {
    return { ok: false, reason: 'bad-token-mac' }; // a bucket or key no token can name
  }
  if (generation < 0) return { ok: false, reason: 'bad-token-mac' };
  const claims = decodePayload(payload);
  if (!claims) return { ok: false, reason: 'malformed-token' };
  if (now.getTime() / 1000 > claims.exp) return { ok: false, reason: 'token-expired' };
  // decodePayload's object is ours: extended in place, the same keys in the same order as a spread.
  const bound = Object.assign(claims, { bucket: object.bucket, key: object.key });
  return generation === 0 ? { ok: true, claims: bound } : { ok: true, claims: bound, previousSecret: generation };
}
