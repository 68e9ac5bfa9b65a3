import * as z from 'zod/mini';
import '../../shared/zod-messages';
import { DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_MAX_TOKEN_AGE_SECONDS } from '../../shared/auth';
import {
  bool,
  choice,
  csv,
  type Env,
  endpointForAddressing,
  httpUrl,
  int,
  logHashSecret,
  logLevel,
  ossLocationFields,
  parseConfig,
  secret,
  tokenSecretFields,
  withDefault,
} from '../../shared/config';
import { isPrivateHost, MAX_CALLBACK_BASE64_BYTES, MAX_PRESIGN_EXPIRES_SECONDS } from '../../shared/oss';
import {
  MAX_MULTIPART_BYTES,
  MAX_PART_BYTES,
  MAX_SINGLE_UPLOAD_BYTES,
  MIME_PATTERN,
  MIN_PART_BYTES,
  settingsRoute,
} from '../../shared/routes';
import { worstCaseCallbackLength } from './bound-callback';

/** An http(s) URL without trailing slashes. */
const baseUrl = () =>
  z.pipe(
    httpUrl(),
    z.transform((url: string) => url.replace(/\/+$/, '')),
  );

export const signConfigSchema = z
  .pipe(
    z
      .object({
        AUTH_MODE: choice(['jwt', 'none'], 'jwt').register(z.globalRegistry, {
          description:
            'jwt: every request carries Authorization: Bearer <JWT> from your auth server, its sub is the user. none: every request is user "anonymous" (local development only).',
        }),
        AUTH_JWT_SECRET: z.optional(
          secret().register(z.globalRegistry, {
            description: 'The HS256 secret shared with your auth server (AUTH_MODE=jwt needs it or AUTH_JWKS_URL).',
          }),
        ),
        AUTH_JWKS_URL: z.optional(
          httpUrl().register(z.globalRegistry, {
            description: "Your auth server's JWKS URL, for RS256/ES256 tokens (instead of AUTH_JWT_SECRET).",
          }),
        ),
        AUTH_ISSUER: z.optional(
          z.string().register(z.globalRegistry, { description: "When set, a JWT's iss must equal it." }),
        ),
        AUTH_AUDIENCE: z.optional(
          z.string().register(z.globalRegistry, { description: "When set, a JWT's aud must contain it." }),
        ),
        AUTH_MAX_TOKEN_AGE_SECONDS: withDefault(int(60, 30 * 86_400), DEFAULT_MAX_TOKEN_AGE_SECONDS).register(
          z.globalRegistry,
          { description: 'A JWT is refused once its iat is older than this, whatever its exp says.' },
        ),
        AUTH_CLOCK_SKEW_SECONDS: withDefault(int(0, 300), DEFAULT_CLOCK_SKEW_SECONDS).register(z.globalRegistry, {
          description: "Leeway for the JWT's iat, nbf and exp against this function's clock.",
        }),
        CALLBACK_BASE_URL: baseUrl().register(z.globalRegistry, {
          description:
            "upload-callback's public URL; each upload's callback goes to <CALLBACK_BASE_URL>/<token>. s.yaml fills it from the FC trigger's URL.",
        }),
        CALLBACK_PUBLIC_URL: z.optional(
          baseUrl().register(z.globalRegistry, {
            description:
              'A custom domain for upload-callback; overrides CALLBACK_BASE_URL (fcapp.run trigger URLs are for testing only).',
          }),
        ),
        ...tokenSecretFields,
        CALLBACK_TOKEN_GRACE_SECONDS: withDefault(int(0, 7 * 86_400), 3600).register(z.globalRegistry, {
          description:
            "How long after a signed URL expires its upload token is still accepted (OSS may call back, or an event arrive, after the upload's last byte).",
        }),
        CALLBACK_ALLOW_PRIVATE: withDefault(bool, false).register(z.globalRegistry, {
          description: 'Allows a private callback address (local OSS stand-in only: OSS itself refuses them).',
        }),
        ...ossLocationFields(),
        UPLOAD_PREFIX: withDefault(
          z.string().check(
            // Keys are at most 1023 bytes; the rest of a key takes at most 511 (object-key.ts), so 512 is left here.
            z.maxLength(512, 'must be at most 512 characters (object keys are at most 1023 bytes)'),
            z.regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or path segments ending in "/"'),
            z.refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'must not contain . or .. segments'),
          ),
          'uploads/',
        ).register(z.globalRegistry, {
          description:
            'Every key sign-upload makes starts with it: empty, or path segments ending in "/". The RAM policies and the sweep are scoped to it.',
        }),
        UPLOAD_MAX_BYTES: withDefault(int(1, MAX_SINGLE_UPLOAD_BYTES), 100 * 1024 ** 2).register(z.globalRegistry, {
          description: 'The largest single-request upload (POST / body modes), in bytes; routes set their own.',
        }),
        UPLOAD_ALLOWED_TYPES: withDefault(
          z.pipe(
            csv,
            z.array(z.string().check(z.regex(MIME_PATTERN, 'must be type/subtype patterns'))).check(z.minLength(1)),
          ),
          ['image/*', 'application/pdf', 'text/plain'],
        ).register(z.globalRegistry, {
          description: 'Comma-separated content types an upload may have: type/subtype patterns, * for either part.',
        }),
        UPLOAD_EXPIRES_SECONDS: withDefault(int(1, MAX_PRESIGN_EXPIRES_SECONDS), 600).register(z.globalRegistry, {
          description: 'How long a signed single-request upload URL or form stays valid.',
        }),
        UPLOAD_VARS: withDefault(
          z.pipe(
            z.pipe(
              csv,
              z.array(
                z.string().check(z.regex(/^(x:)?[a-z0-9_-]{1,64}$/, 'must be lowercase names like album,client_ref')),
              ),
            ),
            z.transform((names: string[]) => names.map((n) => n.replace(/^x:/, ''))),
          ),
          [],
        ).register(z.globalRegistry, {
          description:
            'Comma-separated names of custom variables a client may send (vars, recorded with the upload); none by default.',
        }),
        UPLOAD_VAR_MAX_LENGTH: withDefault(int(1, 512), 128).register(z.globalRegistry, {
          description: 'The longest value of a custom variable, in characters.',
        }),
        UPLOAD_FORBID_OVERWRITE: withDefault(bool, true).register(z.globalRegistry, {
          description: 'Signs x-oss-forbid-overwrite: true, so an upload never replaces an object already at its key.',
        }),
        UPLOAD_MULTIPART_MAX_BYTES: withDefault(int(1, MAX_MULTIPART_BYTES), 5 * 1024 ** 3).register(z.globalRegistry, {
          description: 'The largest multipart upload (the Uppy endpoints under /s3), in bytes.',
        }),
        // Uppy's smallest chunk is 5 MiB; OSS's smallest part 100 KB.
        UPLOAD_MULTIPART_PART_BYTES: withDefault(int(MIN_PART_BYTES, MAX_PART_BYTES), 5 * 1024 ** 2).register(
          z.globalRegistry,
          { description: 'The part size of multipart uploads: every part but the last is exactly this many bytes.' },
        ),
        UPLOAD_MULTIPART_EXPIRES_SECONDS: withDefault(int(60, 7 * 86_400), 86_400).register(z.globalRegistry, {
          description: 'How long a multipart upload may take from create to complete (its grant and part URLs).',
        }),
        SIGN_PUBLIC_URL: z.optional(
          baseUrl().register(z.globalRegistry, {
            description:
              "sign-upload's public base URL (its custom domain), which the /s3 answers point the client back to; unset: https and the platform's own domain for the function (never the request's Host header).",
          }),
        ),
        CORS_ORIGINS: withDefault(csv, []).register(z.globalRegistry, {
          description: 'Comma-separated browser origins allowed to call sign-upload; none: no CORS headers.',
        }),
        LOG_LEVEL: logLevel,
        LOG_HASH_SECRET: logHashSecret(),
      })
      .check(
        z.refine((c) => c.AUTH_MODE === 'none' || c.AUTH_JWT_SECRET || c.AUTH_JWKS_URL, {
          message: 'AUTH_JWT_SECRET or AUTH_JWKS_URL is required when AUTH_MODE=jwt',
          path: ['AUTH_JWT_SECRET'],
        }),
      ),
    z.transform(({ CALLBACK_PUBLIC_URL, ...c }) => ({
      ...c,
      CALLBACK_BASE_URL: CALLBACK_PUBLIC_URL ?? c.CALLBACK_BASE_URL,
    })),
  )
  .check(
    z.refine((c) => c.CALLBACK_ALLOW_PRIVATE || !isPrivateHost(new URL(c.CALLBACK_BASE_URL).hostname), {
      message:
        'OSS refuses private callback addresses; use a public URL (CALLBACK_ALLOW_PRIVATE=true is for the local OSS only)',
      path: ['CALLBACK_BASE_URL'],
    }),
    endpointForAddressing,
    // Refused here, once, rather than per request: no claims a request can bring may push the callback over the
    // limit (a sign answered 200 must give a callback OSS sends and upload-callback accepts). Declared routes
    // are checked the same way when they are loaded (routes-config.ts).
    z.superRefine((c, ctx) => {
      const length = worstCaseCallbackLength(c, settingsRoute(c));
      if (length > MAX_CALLBACK_BASE64_BYTES) {
        ctx.addIssue({
          code: 'custom',
          path: ['CALLBACK_BASE_URL'],
          message: `with UPLOAD_VARS at UPLOAD_VAR_MAX_LENGTH, a 255-byte user and content type, the callback can reach ${length} bytes of Base64, over OSS's ${MAX_CALLBACK_BASE64_BYTES}-byte limit: shorten CALLBACK_BASE_URL, UPLOAD_VARS or UPLOAD_VAR_MAX_LENGTH`,
        });
      }
    }),
  );

export type SignConfig = z.infer<typeof signConfigSchema>;

export const loadSignConfig = (env: Env): SignConfig => parseConfig(signConfigSchema, env);
