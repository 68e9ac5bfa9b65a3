/**
 * Structured logs: one JSON object per line on stdout (FC and Lambda both collect stdout) with the keys that
 * Powertools for AWS Lambda writes, so the queries operators already have work on both platforms:
 * `level` (DEBUG | INFO | WARN | ERROR), `message`, `timestamp` (ISO 8601), `service`, `cold_start`,
 * `function_name`, `function_request_id`; then ours (`uploadId`, `ossRequestId`, `outcome`, `reason`,
 * `latency` in ms, `userHash`).
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/ (standard structured keys)
 * Shared by every function: the HTTP chain (middleware/chain.ts) gives each request a child logger carrying
 * the request keys; a function without the chain does the same with shared/platform's `instanceLoggers`.
 * Two nets against leaks: fields whose names look secret are replaced, and so are string values that look like
 * a JWT, a V4 signature or credential, or a URL with a password.
 */
import { type Bound, bind, extend, formatLine, isoTimestamp } from './line';
import type { LogFields, Logger, LogLevel } from './types';

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

/** Collects lines in memory (tests assert on them). */
export function memoryLogger(): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  return Object.assign(createLogger({}, { level: 'debug', write: (line) => lines.push(JSON.parse(line)) }), {
    lines,
  });
}

/** Writes nothing (benchmarks, and tests that do not look at logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };
