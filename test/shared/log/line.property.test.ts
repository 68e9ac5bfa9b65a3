/**
 * The logger builds its lines from JSON pieces serialised once per logger (shared/log.ts, formatLine and
 * extend); a line must still be, byte for byte, its definition:
 *   JSON.stringify(Object.assign({ level, message, timestamp }, redact(bound fields), redact(line fields)))
 * where the bound fields are `Object.assign({}, base, …child fields)` as they were when each child was made.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogFields, redact } from '../../../shared/log';
import { runs } from '../../helpers/properties';

/** Names that exercise every path: ordinary, secret-looking, the line's own keys, array indexes, prototype. */
const name = fc.oneof(
  fc.constantFrom('uploadId', 'outcome', 'service', 'function_name', 'cold_start', 'function_request_id', 'fn'),
  fc.constantFrom('token', 'authorization', 'x_secret', 'level', 'message', 'timestamp', '0', '7', '10', '01'),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'a"b', 'é', ''),
  fc.string({ maxLength: 6 }),
);

/** Values: safe and secret-shaped strings, numbers (NaN, -0), booleans, null, undefined, objects, dates. */
const value = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln',
    'https://b.example.com/k?x-oss-signature=abc',
    'postgres://app:hunter2@db.example.com/uploads',
    'a=b',
    'x@y',
  ),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(new Date(0)),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
  fc.array(fc.integer(), { maxLength: 2 }),
);

const fields = fc.array(fc.tuple(name, value), { maxLength: 6 }).map((entries) => {
  // defineProperty: an own "__proto__" field, as JSON.parse would make one.
  const out: LogFields = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true });
  return out;
});

const message = fc.oneof(fc.constantFrom('request', 'unhandled error', 'token eyJabcd.efghij.'), fc.string());

/** Times with a remembered second and without (years before 1970, after 9999, the same second twice). */
const time = fc.oneof(
  fc.integer({ min: -62198755200000, max: 253402300799999 }),
  fc.constantFrom(0, 999, 1000, -1, -1000, 1_800_000_000_123, 8.64e15, -8.64e15),
);

function definition(level: string, msg: string, timestamp: Date, bound: LogFields, line: LogFields): string {
  const head = { level, message: String(redact({ m: msg }).m), timestamp: timestamp.toISOString() };
  return JSON.stringify(Object.assign(head, redact(bound), redact(line)));
}

/** The line, or the error it throws (a field whose toJSON throws, an invalid date). */
function outcome(line: () => string): string {
  try {
    return line();
  } catch (error) {
    return `throws ${(error as Error).name}`;
  }
}

describe('log lines against their definition', () => {
  it('writes, for any base, children and fields, the line Object.assign and JSON.stringify would', () => {
    fc.assert(
      fc.property(
        fields,
        fc.array(fields, { maxLength: 3 }),
        fc.array(fc.tuple(fc.constantFrom('debug', 'info', 'warn', 'error'), message, fields, time), {
          minLength: 1,
          maxLength: 4,
        }),
        (base, children, lines) => {
          let clock = new Date(0);
          const written: string[] = [];
          let logger = createLogger(base, { level: 'debug', write: (l) => written.push(l), now: () => clock });
          let bound: LogFields = Object.assign(
            {},
            { service: process.env.POWERTOOLS_SERVICE_NAME || 'oss-upload-callback' },
            base,
          );
          for (const child of children) {
            logger = logger.child(child);
            bound = Object.assign({}, bound, child);
          }
          const expected: string[] = [];
          for (const [level, msg, line, ms] of lines) {
            clock = new Date(ms);
            expected.push(outcome(() => definition(level.toUpperCase(), msg, clock, bound, line)));
            try {
              logger[level as 'info'](msg, line);
            } catch (error) {
              written.push(`throws ${(error as Error).name}`);
            }
          }
          expect(written).toEqual(expected);
        },
      ),
      runs(),
    );
  });

  it('keeps the bound fields as they were when the child was made', () => {
    const lines: string[] = [];
    const logger = createLogger({}, { write: (l) => lines.push(l), now: () => new Date(0) });
    const keys: LogFields = { function_request_id: 'r-1' };
    const child = logger.child(keys);
    keys.function_request_id = 'r-2';
    child.info('request');
    expect(JSON.parse(lines[0] ?? '{}').function_request_id).toBe('r-1');
  });
});
