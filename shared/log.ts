/**
 * Structured JSON log lines (one object per line on stdout, which FC and Lambda both collect). Fields whose
 * names look secret are replaced, so a careless call cannot leak a signature, token or key.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const SECRET_FIELD = /authorization|signature|secret|password|token|credential|cookie|policy|private/i;
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [name, value] of Object.entries(fields)) {
    out[name] = SECRET_FIELD.test(name) ? '[redacted]' : value;
  }
  return out;
}

export function createLogger(
  base: LogFields = {},
  options: { level?: LogLevel; write?: (line: string) => void } = {},
): Logger {
  const min = LEVELS[options.level ?? 'info'] ?? LEVELS.info;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      if (LEVELS[level] < min) return;
      write(JSON.stringify({ level, time: new Date().toISOString(), msg, ...redact(base), ...redact(fields) }));
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** Collects lines in memory (tests assert on them). */
export function memoryLogger(): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  return Object.assign(createLogger({}, { level: 'debug', write: (line) => lines.push(JSON.parse(line)) }), { lines });
}

/** Writes nothing (benchmarks, and tests that do not look at logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
