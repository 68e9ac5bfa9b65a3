/**
 * One small error hierarchy. Every error a client sees is `{ "error": { "code", "message" } }`; messages of
 * 5xx errors are exposed only when marked so (configuration errors name a variable, never a value).
 */
export interface ErrorBody {
  /** Client errors may add machine-readable facts beside the message (a route's limit, say). */
  error: { code: string; message: string; [fact: string]: unknown };
}

export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly expose: boolean;
  readonly headers: Record<string, string>;
  readonly facts: Record<string, unknown> | undefined;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: {
      expose?: boolean;
      headers?: Record<string, string>;
      cause?: unknown;
      /** Shown beside code and message when the message is (e.g. `{ route: 'avatar', maxBytes: 2097152 }`). */
      facts?: Record<string, unknown>;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
    this.facts = options.facts;
  }

  toJSON(): ErrorBody {
    if (!this.expose) return { error: { code: this.code, message: 'Internal server error' } };
    return { error: { code: this.code, message: this.message, ...this.facts } };
  }
}

/** A bad or missing setting: one line naming the variable, thrown at cold start or when first needed. */
export class ConfigError extends HttpError {
  constructor(message: string) {
    super(500, 'ConfigurationError', message, { expose: true });
  }
}

export const INTERNAL_ERROR: ErrorBody = { error: { code: 'InternalError', message: 'Internal server error' } };

export const badRequest = (code: string, message: string) => new HttpError(400, code, message);
export const unauthorized = (code: string, message: string) =>
  new HttpError(401, code, message, { headers: { 'www-authenticate': 'Bearer' } });
export const forbidden = (code: string, message: string) => new HttpError(403, code, message);
export const tooLarge = (code: string, message: string) => new HttpError(413, code, message);
/** A function's body limit; the message names the limit only, so any caller (the local server too) can say it. */
export const requestTooLarge = (limit: number) =>
  tooLarge('RequestTooLarge', `the request body is over the ${limit}-byte limit`);
export const unavailable = (code: string, message: string, cause?: unknown) =>
  new HttpError(503, code, message, { expose: true, cause });
