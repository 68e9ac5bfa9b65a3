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
import { type Bound, bind, extend, formatLine, isoTimestamp } from './log-line';

export { redact } from './log-line';

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

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

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
