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
        AUTH_MODE: choice(['jwt', 'none'], 'jwt'),
        AUTH_JWT_SECRET: z.optional(secret()),
        AUTH_JWKS_URL: z.optional(httpUrl()),
        AUTH_ISSUER: z.optional(z.string()),
        AUTH_AUDIENCE: z.optional(z.string()),
        /** Longest accepted JWT age (since `iat`), whatever its `exp` says. */
        AUTH_MAX_TOKEN_AGE_SECONDS: withDefault(int(60, 30 * 86_400), DEFAULT_MAX_TOKEN_AGE_SECONDS),
        /** Leeway for the JWT's `iat`, `nbf` and `exp` against our clock. */
        AUTH_CLOCK_SKEW_SECONDS: withDefault(int(0, 300), DEFAULT_CLOCK_SKEW_SECONDS),
        CALLBACK_BASE_URL: baseUrl(),
        /** A custom domain for upload-callback; overrides CALLBACK_BASE_URL (s.yaml fills that from the FC trigger). */
        CALLBACK_PUBLIC_URL: z.optional(baseUrl()),
        ...tokenSecretFields,
        CALLBACK_TOKEN_GRACE_SECONDS: withDefault(int(0, 7 * 86_400), 3600),
        /** Local OSS stand-in only: OSS itself refuses private callback addresses. */
        CALLBACK_ALLOW_PRIVATE: withDefault(bool, false),
        ...ossLocationFields(),
        UPLOAD_PREFIX: withDefault(
          z.string().check(
            // Keys are at most 1023 bytes; the rest of a key takes at most 511 (object-key.ts), so 512 is left here.
            z.maxLength(512, 'must be at most 512 characters (object keys are at most 1023 bytes)'),
            z.regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or path segments ending in "/"'),
            z.refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'must not contain . or .. segments'),
          ),
          'uploads/',
        ),
        UPLOAD_MAX_BYTES: withDefault(int(1, MAX_SINGLE_UPLOAD_BYTES), 100 * 1024 ** 2),
        UPLOAD_ALLOWED_TYPES: withDefault(
          z.pipe(
            csv,
            z.array(z.string().check(z.regex(MIME_PATTERN, 'must be type/subtype patterns'))).check(z.minLength(1)),
          ),
          ['image/*', 'application/pdf', 'text/plain'],
        ),
        UPLOAD_EXPIRES_SECONDS: withDefault(int(1, MAX_PRESIGN_EXPIRES_SECONDS), 600),
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
        ),
        UPLOAD_VAR_MAX_LENGTH: withDefault(int(1, 512), 128),
        UPLOAD_FORBID_OVERWRITE: withDefault(bool, true),
        /** Multipart (the Uppy endpoint): the whole object's limit, the part size parts are counted in, how long. */
        UPLOAD_MULTIPART_MAX_BYTES: withDefault(int(1, MAX_MULTIPART_BYTES), 5 * 1024 ** 3),
        /** Uppy's smallest chunk is 5 MiB; OSS's smallest part 100 KB. Every part but the last is exactly this. */
        UPLOAD_MULTIPART_PART_BYTES: withDefault(int(MIN_PART_BYTES, MAX_PART_BYTES), 5 * 1024 ** 2),
        UPLOAD_MULTIPART_EXPIRES_SECONDS: withDefault(int(60, 7 * 86_400), 86_400),
        /** Where sign-upload is reachable (its Complete URLs point here); default: the request's own host. */
        SIGN_PUBLIC_URL: z.optional(baseUrl()),
        CORS_ORIGINS: withDefault(csv, []),
        LOG_LEVEL: logLevel,
        /** Keys the user hash in log lines; defaults to a key derived from CALLBACK_TOKEN_SECRET (shared/log.ts). */
        LOG_HASH_SECRET: z.optional(secret()),
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
