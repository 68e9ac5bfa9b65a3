/**
 * The routes declaration, data rather than code (docs/routes.md): every kind of upload an app takes, each with its
 * own limits, key layout and rules, validated by this one schema at load, at build and by `npm run
 * check:deploy`. `routes.schema.json` at the project root is generated from it (`npm run routes:schema`), with
 * the descriptions below, so editors complete and check routes.json; CI fails when it is stale. `types`,
 * `maxBytes` and `key` are required; the expiries and part size a route leaves out are the deployment's
 * UPLOAD_* settings; a route takes no variables unless it lists them. Descriptions are registered in zod's global
 * registry (as the config schemas' are, shared/config.ts), not `z.describe()` checks, which clone their schema
 * at sign-upload's cold start.
 */
import * as z from 'zod/mini';
import '../zod-messages';
import { layoutProblems } from './layout';
import {
  MAX_EXPIRES_SECONDS,
  MAX_IMAGE_INFO_BYTES,
  MAX_MULTIPART_BYTES,
  MAX_PART_BYTES,
  MAX_SINGLE_UPLOAD_BYTES,
  MIME_PATTERN,
  MIN_PART_BYTES,
} from './limits';

/** A route's name: what a client sends (`"route": "avatar"`) and the record keeps. */
export const ROUTE_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const VAR_NAME = /^[a-z0-9_-]{1,64}$/;
const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_:.-]{0,63}$/;

const whole = (min: number, max: number, description: string) =>
  z.number().check(z.int(), z.minimum(min), z.maximum(max)).register(z.globalRegistry, { description });

const layout = z
  .string()
  .check(
    z.maxLength(256),
    z.superRefine((value, ctx) => {
      for (const problem of layoutProblems(value)) ctx.addIssue({ code: 'custom', message: problem, input: value });
    }),
  )
  .register(z.globalRegistry, {
    description:
      'The object key under UPLOAD_PREFIX, e.g. "avatars/{user}/{id}{ext}" or "documents/{user}/{yyyy}/{mm}/{id}-{name}". ' +
      "{user} (the user's folder, a whole segment after literal ones), {id} (the upload id, starting the last segment), " +
      '{name} and {ext} (the sanitised file name and its extension, last segment only), {yyyy} {mm} {dd} (the UTC ' +
      'signing date, whole segments after {user}). With several routes, each begins with a folder of its own.',
  });

const routeSchema = z
  .strictObject({
    description: z.optional(
      z
        .string()
        .check(z.maxLength(200))
        .register(z.globalRegistry, { description: 'What the route is for (for people).' }),
    ),
    types: z
      .array(z.string().check(z.regex(MIME_PATTERN, 'must be type/subtype patterns such as image/*')))
      .check(z.minLength(1))
      .register(z.globalRegistry, {
        description: 'Allowed content types: type/subtype patterns, * for either part (image/*).',
      }),
    maxBytes: whole(
      1,
      MAX_MULTIPART_BYTES,
      'The largest object, bytes: at most 5 GiB in one PUT or POST, 10,000 parts of 5 GiB through multipart.',
    ),
    minBytes: z.optional(whole(1, MAX_MULTIPART_BYTES, 'The smallest object, bytes.')),
    key: layout,
    uploads: z.optional(
      z
        .array(z.enum(['put', 'post', 'multipart']))
        .check(z.minLength(1))
        .register(z.globalRegistry, {
          description:
            'How a client may upload: a presigned PUT, a PostObject form, Uppy multipart. Default: all three.',
        }),
    ),
    multipart: z.optional(
      z
        .strictObject({
          partBytes: z.optional(
            whole(
              MIN_PART_BYTES,
              MAX_PART_BYTES,
              'Every part but the last, bytes. Default UPLOAD_MULTIPART_PART_BYTES.',
            ),
          ),
          expiresSeconds: z.optional(
            whole(
              60,
              MAX_EXPIRES_SECONDS,
              'How long a multipart upload may take. Default UPLOAD_MULTIPART_EXPIRES_SECONDS.',
            ),
          ),
        })
        .register(z.globalRegistry, {
          description: 'Multipart uploads (Uppy): the part size and how long one may take.',
        }),
    ),
    expiresSeconds: z.optional(
      whole(1, MAX_EXPIRES_SECONDS, 'How long a signed upload URL or form is valid. Default UPLOAD_EXPIRES_SECONDS.'),
    ),
    vars: z.optional(
      z
        .record(
          z.string().check(z.regex(VAR_NAME, 'must be lowercase names like album')),
          whole(1, 512, 'The longest value, characters.'),
        )
        .register(z.globalRegistry, {
          description:
            'Custom callback variables a client may send (x:name), each with its longest value. Default: none.',
        }),
    ),
    replace: z.optional(
      z.enum(['delete', 'keep']).register(z.globalRegistry, {
        description:
          'One current upload per user (the avatar case): a newer one recorded marks the older records replaced, ' +
          'and their objects are deleted or kept.',
      }),
    ),
    requires: z.optional(
      z
        .strictObject({
          scope: z.optional(
            z.array(z.string().check(z.regex(/^\S{1,128}$/, 'must be one scope'))).register(z.globalRegistry, {
              description: "Scopes the token's scope claim must contain (space-separated, or a list).",
            }),
          ),
          claims: z.optional(
            z
              .record(
                z.string().check(z.regex(CLAIM_NAME, 'must be a claim name')),
                z.union([z.string(), z.number(), z.boolean()]),
              )
              .register(z.globalRegistry, { description: 'Claims the token must carry with exactly these values.' }),
          ),
        })
        .register(z.globalRegistry, { description: "What the client's JWT must carry to upload to this route." }),
    ),
    image: z.optional(
      z
        .strictObject({
          maxWidth: z.optional(whole(1, 100_000, 'Pixels.')),
          maxHeight: z.optional(whole(1, 100_000, 'Pixels.')),
        })
        .register(z.globalRegistry, {
          description:
            "Largest width and height of an image/* upload, as OSS reads it (the callback's imageInfo, image/info): " +
            'one over it, or one OSS cannot read as an image, is rejected like an oversize file.',
        }),
    ),
    hook: z.optional(
      z
        .strictObject({
          url: z.url({ protocol: /^https?$/ }).register(z.globalRegistry, { description: 'An http(s) URL.' }),
        })
        .register(z.globalRegistry, {
          description: "Where this route's processing hooks are delivered, instead of the deployment's.",
        }),
    ),
    default: z.optional(
      z
        .boolean()
        .register(z.globalRegistry, { description: 'The route of a request that names none (at most one route).' }),
    ),
  })
  .check(
    z.refine((r) => r.minBytes === undefined || r.minBytes <= r.maxBytes, {
      message: 'must not be over maxBytes',
      path: ['minBytes'],
    }),
    z.refine((r) => r.maxBytes <= MAX_SINGLE_UPLOAD_BYTES || (r.uploads ?? ['multipart']).includes('multipart'), {
      message: 'is over 5 GiB, which only a multipart upload can store: add multipart to uploads',
      path: ['maxBytes'],
    }),
    z.refine((r) => r.image === undefined || r.maxBytes <= MAX_IMAGE_INFO_BYTES, {
      message: `must be at most ${MAX_IMAGE_INFO_BYTES} bytes with image limits (OSS reads the size of images up to 20 MB)`,
      path: ['maxBytes'],
    }),
  );

export const routesDeclarationSchema = z.strictObject({
  $schema: z.optional(
    z.string().register(z.globalRegistry, { description: "An editor's pointer to routes.schema.json." }),
  ),
  routes: z
    .record(z.string().check(z.regex(ROUTE_NAME, 'must be a route name like avatar')), routeSchema)
    .register(z.globalRegistry, {
      description: 'Each route by its name (lower-case letters, digits and -, at most 32): what a client sends.',
    }),
});

export type RouteDeclaration = z.infer<typeof routeSchema>;
export type RoutesDeclaration = z.infer<typeof routesDeclarationSchema>;
