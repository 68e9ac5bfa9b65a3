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
export const routeName = z
  .string()
  .check(z.minLength(1), z.maxLength(64))
  .register(z.globalRegistry, { description: 'The route (routes.json) to upload in; absent: the default route.' });

export const signRequestSchema = z.strictObject({
  filename: z.string().check(z.minLength(1), z.maxLength(1024)).register(z.globalRegistry, {
    description: "The file's name: a plain name, no path; the key's {name} and {ext} come from it.",
  }),
  contentType: z.string().check(z.maxLength(255), z.regex(MIME_TYPE, MIME_TYPE_MESSAGE)).register(z.globalRegistry, {
    description: 'The Content-Type the object is stored with (the upload must send exactly this).',
  }),
  size: z.number().check(z.int(), z.positive()).register(z.globalRegistry, {
    description: "The size in bytes: the upload may be at most this large (and at least the route's minBytes).",
  }),
  mode: z._default(z.enum(['put', 'post']), 'put').register(z.globalRegistry, {
    description: 'put: a presigned PUT URL with headers to send; post: a PostObject form (browser form upload).',
  }),
  vars: z.optional(
    stringMap.register(z.globalRegistry, {
      description: 'Custom variables recorded with the upload: only names the route allows (UPLOAD_VARS or its vars).',
    }),
  ),
  /** An unknown name is answered 400 UnknownRoute. */
  route: z.optional(routeName),
});

export type SignRequest = z.infer<typeof signRequestSchema>;
