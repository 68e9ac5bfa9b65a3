import * as z from 'zod/mini';
import '../../shared/zod-messages';
import { MIME_TYPE, MIME_TYPE_MESSAGE } from '../../shared/routes';

/** 16 KB is far above any honest request (a file name, a type, a size and a few short variables). */
export const MAX_REQUEST_BYTES = 16 * 1024;

/**
 * An object of string values, kept exactly as JSON.parse made it. Not `z.record`: zod rebuilds a record by
 * assignment, and `out["__proto__"] = v` sets a prototype instead of a key, so an own `__proto__` name (which
 * JSON.parse does create) would vanish before the allow-list could refuse it.
 */
const stringMap = z.custom<Record<string, string>>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.values(value).every((v) => typeof v === 'string'),
  'must be an object of string values',
);

/** Any short name: whether it is a route is for the routes to say (with the names they know). */
export const routeName = z.string().check(z.minLength(1), z.maxLength(64));

export const signRequestSchema = z.strictObject({
  filename: z.string().check(z.minLength(1), z.maxLength(1024)),
  contentType: z.string().check(z.maxLength(255), z.regex(MIME_TYPE, MIME_TYPE_MESSAGE)),
  size: z.number().check(z.int(), z.positive()),
  mode: z._default(z.enum(['put', 'post']), 'put'),
  vars: z.optional(stringMap),
  /** The route's name (routes.json); absent: the default route. An unknown name is answered 400 UnknownRoute. */
  route: z.optional(routeName),
});

export type SignRequest = z.infer<typeof signRequestSchema>;
