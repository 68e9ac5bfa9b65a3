/**
 * Structured logs: one JSON object per line on stdout (FC and Lambda both collect stdout) with the keys that
 * Powertools for AWS Lambda writes, so the queries operators already have work on both platforms:
 * `level` (DEBUG | INFO | WARN | ERROR), `message`, `timestamp` (ISO 8601), `service`, `cold_start`,
 * `function_name`, `function_request_id`; then ours (`uploadId`, `ossRequestId`, `outcome`, `reason`,
 * `latency` in ms, `userHash`).
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/ (standard structured keys)
 * Shared by every function: the HTTP chain (middleware/chain.ts) gives each request a child logger carrying
 * the request keys; a function without the chain can do the same with `requestKeys` + `child`.
 * Two nets against leaks: fields whose names look secret are replaced, and so are string values that look like
 * a JWT, a V4 signature or credential, or a URL with a password.
 */
import { createHmac } from 'node:crypto';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines also carry `fields` (request keys, an upload id). */
  child(fields: LogFields): Logger;
}

const SECRET_FIELD = /authorization|signature|secret|password|token|credential|cookie|policy|private/i;
const SECRET_VALUE = [
  /eyJ[\w-]{4,}\.[\w-]{4,}\.?/, // a JWT (its header is base64url JSON, so it starts with "eyJ")
  /x-oss-(signature|credential|security-token)=/i, // a V4 presigned URL
  /OSS4-HMAC-SHA256\s+Credential=|Signature=/, // a V4 Authorization header
  /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, // a URL with user:password
];
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

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
interface Bound {
  parent: Bound | undefined;
  own: LogFields;
  names: string[];
  json: string | undefined;
}

/** `Object.assign({}, …ancestors' fields, own)`: what `child` used to copy on every call. */
const rawOf = (bound: Bound): LogFields =>
  bound.parent === undefined ? bound.own : Object.assign({}, rawOf(bound.parent), bound.own);

const isPlain = (value: unknown) =>
  value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** Redacted and serialised once per logger, rather than merged, redacted and serialised per line. */
function bind(parent: Bound | undefined, own: LogFields): Bound {
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
function extend(parent: Bound, own: LogFields): Bound {
  const clean = parent.json === undefined ? undefined : redactApart(own, parent.names);
  if (clean === undefined || !Object.values(clean).every(isPlain)) return bind(parent, own);
  const json = JSON.stringify(clean).slice(1, -1);
  const names = parent.names.concat(Object.keys(own));
  return { parent, own, names, json: parent.json && json ? `${parent.json},${json}` : parent.json || json };
}

/**
 * `JSON.stringify(Object.assign({ level, message, timestamp }, redact(bound), redact(fields)))`, the line's
 * definition. The bound members are serialised once per logger rather than merged and serialised per line
 * (the request line was ~10% of the sign handler's profile); a line whose names could reorder or overwrite
 * members (ODD names, a field repeating a bound name) takes the definition itself.
 */
function formatLine(level: string, message: string, timestamp: string, bound: Bound, fields: LogFields): string {
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
function isoTimestamp(): (date: Date) => string {
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

export interface LoggerOptions {
  /** Lowest level written; LOG_LEVEL in the functions (either case). */
  level?: string;
  write?: (line: string) => void;
  now?: () => Date;
}

export const parseLevel = (level: string | undefined): LogLevel => {
  const lower = (level ?? 'info').toLowerCase();
  return lower in LEVELS ? (lower as LogLevel) : 'info';
};

/**
 * `base` usually holds `service` (POWERTOOLS_SERVICE_NAME, else the project name) and a fallback
 * `function_name` for where the platform names none (local runs).
 */
export function createLogger(base: LogFields = {}, options: LoggerOptions = {}): Logger {
  const min = LEVELS[parseLevel(options.level)];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const timestamp = isoTimestamp();
  // A logger's bound fields are worked out when it first writes a line: a request's logger often writes none
  // (its handler's debug lines are off at info), and the chain writes the request line through its parent.
  const make = (bound: () => Bound): Logger => {
    const emit = (level: LogLevel) => {
      const name = level.toUpperCase();
      return (message: string, fields: LogFields = {}) => {
        if (LEVELS[level] < min) return;
        write(formatLine(name, message, timestamp(now()), bound(), fields));
      };
    };
    return {
      debug: emit('debug'),
      info: emit('info'),
      warn: emit('warn'),
      error: emit('error'),
      child: (fields) => {
        // A copy now (the fields as they are when bound); a spread, not Object.assign, so that an own
        // "__proto__" field stays a field (and ODD), as in the old merged copy's names.
        const own = { ...fields };
        let extended: Bound | undefined;
        return make(() => (extended ??= extend(bound(), own)));
      },
    };
  };
  const root = bind(undefined, { service: process.env.POWERTOOLS_SERVICE_NAME || 'oss-upload-callback', ...base });
  return make(() => root);
}

/** The platform's names for this invocation, for `child`. */
export type RequestKeys = {
  cold_start: boolean;
  function_name: string;
  function_request_id: string;
};

/** What FC (context.function.name, context.requestId) and Lambda (functionName, awsRequestId) call them. */
export interface InvocationContext {
  awsRequestId?: string;
  functionName?: string;
  requestId?: string;
  function?: { name?: string };
}

/**
 * FC: `context.requestId`, else the `x-fc-request-id` header; `context.function.name`, else FC_FUNCTION_NAME.
 * Lambda: `context.awsRequestId` and `context.functionName` (AWS_LAMBDA_FUNCTION_NAME in the environment).
 * @see https://help.aliyun.com/en/functioncompute/context-1-1 and
 *   https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
 */
export function requestKeys(
  context: InvocationContext,
  headers: Record<string, string | undefined>,
  coldStart: boolean,
  fallbackName: string,
): RequestKeys {
  return {
    cold_start: coldStart,
    function_name: functionName(context, environmentName(fallbackName)),
    function_request_id: requestId(context, headers),
  };
}

/** The function's name in the environment (FC, then Lambda), else `fallbackName`. Constant per instance. */
export const environmentName = (fallbackName: string): string =>
  process.env.FC_FUNCTION_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? fallbackName;

/** `function_name`: the context's, else `fallbackName` (see environmentName). */
export const functionName = (context: InvocationContext, fallbackName: string): string =>
  context.functionName ?? context.function?.name ?? fallbackName;

/** `function_request_id`. */
export const requestId = (context: InvocationContext, headers: Record<string, string | undefined>): string =>
  context.awsRequestId ?? context.requestId ?? headers['x-fc-request-id'] ?? '';

/**
 * Users appear in logs only as a short keyed hash: the same user gives the same 16 hex digits in every line of
 * every function sharing the secret (follow one user without learning who), and without the secret the
 * hash cannot be tested against guessed user ids. The key is derived (domain-separated) from the secret.
 */
export function userHasher(secret: string): (user: string) => string {
  const key = createHmac('sha256', secret).update('oss-upload-callback log user hash v1').digest();
  // A client signs again and again: its hash is remembered (bounded), not recomputed with an HMAC per line.
  const known = new Map<string, string>();
  return (user) => {
    let hash = known.get(user);
    if (hash === undefined) {
      hash = createHmac('sha256', key).update(user).digest('hex').slice(0, 16);
      if (known.size >= 1000) known.clear();
      known.set(user, hash);
    }
    return hash;
  };
}

/**
 * The hasher every function uses: LOG_HASH_SECRET, else (the default) one derived from CALLBACK_TOKEN_SECRET,
 * which all three functions share, so one user has one hash in every function's lines.
 */
export const logHasher = (config: { LOG_HASH_SECRET?: string | undefined; CALLBACK_TOKEN_SECRET: string }) =>
  userHasher(config.LOG_HASH_SECRET ?? config.CALLBACK_TOKEN_SECRET);

/** Collects lines in memory (tests assert on them). */
export function memoryLogger(): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  return Object.assign(createLogger({}, { level: 'debug', write: (line) => lines.push(JSON.parse(line)) }), {
    lines,
  });
}

/** Writes nothing (benchmarks, and tests that do not look at logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };
