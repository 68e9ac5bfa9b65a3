/**
 * Structured logs (one JSON line each, Powertools' keys), their redaction, and the keyed user hash that stands
 * for a user in every line. The platform's names for an invocation live in shared/platform/context.ts.
 */
export { logHasher, userHasher } from './hash';
export { redact } from './line';
export { createLogger, type LoggerOptions, memoryLogger, parseLevel, silentLogger } from './logger';
export type { LogFields, Logger, LogLevel } from './types';
