/**
 * One log line: redaction (secret-looking names and values) and serialisation, for logger.ts. A line is
 * `JSON.stringify(Object.assign({ level, message, timestamp }, redact(bound), redact(fields)))`; a logger's bound
 * fields are redacted and serialised once (`bind`, `extend`) rather than per line (serialised per line, the request line
 * is ~10% of the sign handler's profile). test/shared/log/line.property.test.ts holds every line to that definition.
 */
import type { LogFields } from './types';

const SECRET_FIELD = /authorization|signature|secret|password|token|credential|cookie|policy|private/i;
const SECRET_VALUE = [
  /eyJ[\w-]{4,}\.[\w-]{4,}\.?/, // a JWT (its header is base64url JSON, so it starts with "eyJ")
  /x-oss-(signature|credential|security-token)=/i, // a V4 presigned URL
  /OSS4-HMAC-SHA256\s+Credential=|Signature=/, // a V4 Authorization header
  /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, // a URL with user:password
];

/**
 * Every SECRET_VALUE pattern needs an "=", an "@" or "eyJ" in the value: one without any of them (ids, hashes,
 * methods, most messages) cannot match, and skips the four patterns.
 */
const mayHoldSecret = (value: string) => value.includes('=') || value.includes('@') || value.includes('eyJ');

function scrub(value: unknown): unknown {
  return typeof value === 'string' && mayHoldSecret(value) && SECRET_VALUE.some((pattern) => pattern.test(value))
    ? '[redacted]'
    : value;
}

/**
 * A field name's kind, remembered (bounded): a log line reuses the same few names. ODD names (array indexes,
 * which objects order first; the line's own level/message/timestamp; `__proto__`, which an assignment does not
 * copy as a field) send a line down the generic path.
 */
const SAFE = 0;
const SECRET = 1;
const ODD = 2;
const ODD_NAMES = new Set(['level', 'message', 'timestamp', '__proto__']);
const nameKinds = new Map<string, number>();

function kindOf(name: string): number {
  let kind = nameKinds.get(name);
  if (kind === undefined) {
    kind = SECRET_FIELD.test(name) ? SECRET : /^\d/.test(name) || ODD_NAMES.has(name) ? ODD : SAFE;
    if (nameKinds.size >= 256) nameKinds.clear();
    nameKinds.set(name, kind);
  }
  return kind;
}

export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const name in fields) {
    if (!Object.hasOwn(fields, name)) continue;
    const value = fields[name];
    if (value === undefined) continue;
    out[name] = kindOf(name) === SECRET ? '[redacted]' : scrub(value);
  }
  return out;
}

/**
 * A logger's bound fields: its own (copied when bound) over its parent's; their names; and `json`, their
 * redacted JSON members (`"name":value,…`) when every redacted value is a plain primitive and no name is ODD.
 */
export interface Bound {
  parent: Bound | undefined;
  own: LogFields;
  names: string[];
  json: string | undefined;
}

/** `Object.assign({}, …ancestors' fields, own)`: a logger's fields, merged only where a line needs them so. */
const rawOf = (bound: Bound): LogFields =>
  bound.parent === undefined ? bound.own : Object.assign({}, rawOf(bound.parent), bound.own);

const isPlain = (value: unknown) =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** Redacted and serialised once per logger, rather than merged, redacted and serialised per line. */
export function bind(parent: Bound | undefined, own: LogFields): Bound {
  const bound: Bound = { parent, own, names: [], json: undefined };
  const raw = rawOf(bound);
  const redacted = redact(raw);
  bound.names = Object.keys(raw);
  const flat = bound.names.every((name) => kindOf(name) !== ODD) && Object.values(redacted).every(isPlain);
  bound.json = flat ? JSON.stringify(redacted).slice(1, -1) : undefined;
  return bound;
}

/**
 * A child's bound fields. When none of `fields` is bound already (nor ODD, nor a value other than a plain
 * primitive), its members follow the parent's: what redacting and serialising `Object.assign({}, parent, fields)`
 * gives, for the cost of the new fields only (the chain makes a child per request). Otherwise `bind`.
 */
export function extend(parent: Bound, own: LogFields): Bound {
  const clean = parent.json === undefined ? undefined : redactApart(own, parent.names);
  if (clean === undefined || !Object.values(clean).every(isPlain)) return bind(parent, own);
  const json = JSON.stringify(clean).slice(1, -1);
  const names = parent.names.concat(Object.keys(own));
  return { parent, own, names, json: parent.json && json ? `${parent.json},${json}` : parent.json || json };
}

/**
 * `JSON.stringify(Object.assign({ level, message, timestamp }, redact(bound), redact(fields)))`, the line's
 * definition. The bound members are serialised once per logger rather than merged and serialised per line
 * (serialised per line, the request line is ~10% of the sign handler's profile); a line whose names could reorder or overwrite
 * members (ODD names, a field repeating a bound name) takes the definition itself.
 */
export function formatLine(level: string, message: string, timestamp: string, bound: Bound, fields: LogFields): string {
  const own = bound.json === undefined ? undefined : redactApart(fields, bound.names);
  if (own === undefined) {
    const head = { level, message: String(scrub(message)), timestamp };
    return JSON.stringify(Object.assign(head, redact(rawOf(bound)), redact(fields)));
  }
  const tail = JSON.stringify(own);
  return `{"level":"${level}","message":${JSON.stringify(String(scrub(message)))},"timestamp":"${timestamp}"${
    bound.json ? `,${bound.json}` : ''
  }${tail.length > 2 ? `,${tail.slice(1)}` : '}'}`;
}

/**
 * `redact(fields)`, or `fields` itself where redacting would change no value (no copy: most lines), or
 * undefined when a name is ODD or already bound.
 */
function redactApart(fields: LogFields, bound: string[]): LogFields | undefined {
  let clean = true;
  for (const name in fields) {
    if (!Object.hasOwn(fields, name)) continue;
    const kind = kindOf(name);
    if (kind === ODD || bound.includes(name)) return undefined;
    const value = fields[name];
    clean &&= kind === SAFE && scrub(value) === value;
  }
  // Only a plain object is serialised as it is: another prototype could bring a toJSON.
  return clean && Object.getPrototypeOf(fields) === Object.prototype ? fields : redact(fields);
}

/**
 * `date.toISOString()`, with the part up to the second remembered: ~1 µs a line otherwise on the benchmark
 * machine. Only for four-digit years (24 characters); anything else, or an invalid date, goes to toISOString.
 */
export function isoTimestamp(): (date: Date) => string {
  let second = Number.NaN;
  let prefix = '';
  return (date) => {
    const ms = date.getTime();
    const s = Math.floor(ms / 1000);
    if (s === second) return `${prefix}${String(ms - s * 1000).padStart(3, '0')}Z`;
    const iso = date.toISOString();
    if (iso.length === 24) {
      second = s;
      prefix = iso.slice(0, 20);
    }
    return iso;
  };
}
