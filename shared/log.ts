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

/** Field names seen, and whether they look secret: a log line reuses the same few names. Bounded. */
const secretNames = new Map<string, boolean>();

function isSecretName(name: string): boolean {
  let secret = secretNames.get(name);
  if (secret === undefined) {
    secret = SECRET_FIELD.test(name);
    if (secretNames.size >= 256) secretNames.clear();
    secretNames.set(name, secret);
  }
  return secret;
}

export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const name in fields) {
    if (!Object.hasOwn(fields, name)) continue;
    const value = fields[name];
    if (value === undefined) continue;
    out[name] = isSecretName(name) ? '[redacted]' : scrub(value);
  }
  return out;
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
  const make = (bound: LogFields): Logger => {
    const emit =
      (level: LogLevel) =>
      (message: string, fields: LogFields = {}) => {
        if (LEVELS[level] < min) return;
        const head = { level: level.toUpperCase(), message: String(scrub(message)), timestamp: now().toISOString() };
        // Object.assign, not a spread literal: the same keys in the same order, but V8 copies a literal spread of
        // this many keys on a slow path (~16 µs a line against ~3 µs, profiled).
        write(JSON.stringify(Object.assign(head, redact(bound), redact(fields))));
      };
    return {
      debug: emit('debug'),
      info: emit('info'),
      warn: emit('warn'),
      error: emit('error'),
      child: (fields) => make(Object.assign({}, bound, fields)),
    };
  };
  return make({ service: process.env.POWERTOOLS_SERVICE_NAME || 'oss-upload-callback', ...base });
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
  const env = process.env;
  return {
    cold_start: coldStart,
    function_name:
      context.functionName ??
      context.function?.name ??
      env.FC_FUNCTION_NAME ??
      env.AWS_LAMBDA_FUNCTION_NAME ??
      fallbackName,
    function_request_id: context.awsRequestId ?? context.requestId ?? headers['x-fc-request-id'] ?? '',
  };
}

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
