/**
 * The peer of sign-upload's "like with like" rows: the sign-upload a user would write instead of ours, with
 * the usual libraries. It shares what is not the question (the same middy chain: FC event, one log line,
 * @middy/http-cors, our JSON errors; the same zod/mini body schema; the same configuration) and does the rest
 * the ordinary way: jose's `jwtVerify` for the HS256 token (the same claims and checks), a plain HMAC over the
 * upload's JSON claims as its upload token, the callback JSON stringified per request, ali-oss
 * `signatureUrlV4` for the PUT (the same headers our answer carries) and `signPostObjectPolicyV4` for the POST
 * form, and the same JSON answer. What a careful user builds once per instance is built once here too (the
 * jose key, the ali-oss client), so the peer is not slowed by anything a user would not do.
 */
import { createHmac, createSecretKey, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { errors, type JWTVerifyOptions, jwtVerify } from 'jose';
import type { SignConfig } from '../functions/sign-upload/config';
import { MAX_REQUEST_BYTES, type SignRequest, signRequestSchema } from '../functions/sign-upload/sign-body';
import type { Clock } from '../shared/clock';
import { badRequest, forbidden, HttpError, tooLarge, unauthorized } from '../shared/errors';
import type { Logger } from '../shared/log';
import { httpChain } from '../shared/middleware/chain';
import { cors } from '../shared/middleware/cors';
import { jsonResponse } from '../shared/middleware/response';
import type { HttpEvent, HttpHandler } from '../shared/platform';

export interface PeerOptions {
  config: SignConfig;
  keys: { OSS_ACCESS_KEY_ID: string; OSS_ACCESS_KEY_SECRET: string };
  clock: Clock;
  logger: Logger;
  /** The callback body template (OSS's `${…}` variables): a constant of the user's configuration. */
  callbackBody: string;
  callbackBodyType: string;
}

/** The same claims and checks as ours: sub, iat and exp required, issuer, audience, maximum age, skew. */
function tokenVerifier({ config, clock }: PeerOptions) {
  const key = createSecretKey(Buffer.from(config.AUTH_JWT_SECRET ?? '', 'utf8'));
  const options: JWTVerifyOptions = {
    algorithms: ['HS256'],
    requiredClaims: ['sub', 'iat', 'exp'],
    maxTokenAge: config.AUTH_MAX_TOKEN_AGE_SECONDS,
    clockTolerance: config.AUTH_CLOCK_SKEW_SECONDS,
    ...(config.AUTH_ISSUER ? { issuer: config.AUTH_ISSUER } : {}),
    ...(config.AUTH_AUDIENCE ? { audience: config.AUTH_AUDIENCE } : {}),
  };
  return async (authorization: string | undefined): Promise<string> => {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!token) throw unauthorized('MissingToken', 'send Authorization: Bearer <JWT>');
    try {
      const { payload } = await jwtVerify(token, key, { ...options, currentDate: clock.now() });
      if (typeof payload.sub !== 'string' || !payload.sub) throw unauthorized('InvalidToken', 'no subject');
      return payload.sub;
    } catch (error) {
      if (error instanceof errors.JOSEError) throw unauthorized('InvalidToken', 'the token is not valid');
      throw error;
    }
  };
}

function readRequest(event: HttpEvent, config: SignConfig): SignRequest {
  if (event.rawBody.length > MAX_REQUEST_BYTES) throw tooLarge('RequestTooLarge', 'the request body is too large');
  if (!/^application\/json\b/i.test(event.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'UnsupportedMediaType', 'send the request as Content-Type: application/json');
  }
  let body: unknown;
  try {
    body = JSON.parse(event.rawBody.toString('utf8'));
  } catch {
    throw badRequest('InvalidJson', 'request body is not valid JSON');
  }
  const parsed = signRequestSchema.safeParse(body);
  if (!parsed.success) throw badRequest('InvalidRequest', parsed.error.issues[0]?.message ?? 'invalid request');
  const request = parsed.data;
  if (request.size > config.UPLOAD_MAX_BYTES) throw tooLarge('FileTooLarge', 'the file is too large');
  const [type, subtype] = request.contentType.toLowerCase().split('/');
  const allowed = config.UPLOAD_ALLOWED_TYPES.some((pattern) => {
    const [t, s] = pattern.toLowerCase().split('/');
    return (t === '*' || t === type) && (s === '*' || s === subtype);
  });
  if (!allowed) throw forbidden('ContentTypeNotAllowed', 'content type not allowed');
  for (const [name, value] of Object.entries(request.vars ?? {})) {
    if (!config.UPLOAD_VARS.includes(name) || !/^[A-Za-z0-9._:-]{0,256}$/.test(value)) {
      throw badRequest('InvalidVars', `variable ${name} is not allowed`);
    }
  }
  return request;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const ossDate = (now: Date) =>
  now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** One signed upload, PUT or POST form, from the user's claims; the signing itself is ali-oss's. */
function uploadSigner(options: PeerOptions) {
  const { config, keys } = options;
  const OSS = createRequire(import.meta.url)('ali-oss');
  const oss = new OSS({
    region: `oss-${config.OSS_REGION.replace(/^oss-/, '')}`,
    bucket: config.OSS_BUCKET,
    accessKeyId: keys.OSS_ACCESS_KEY_ID,
    accessKeySecret: keys.OSS_ACCESS_KEY_SECRET,
    authorizationV4: true,
  });
  const region = config.OSS_REGION.replace(/^oss-/, '');

  const put = async (key: string, seconds: number, headers: Record<string, string>) => ({
    put: { method: 'PUT', url: await oss.signatureUrlV4('PUT', seconds, { headers }, key), headers },
  });
  const post = (key: string, now: Date, expiresAt: Date, request: SignRequest, headers: Record<string, string>) => {
    const date = ossDate(now);
    const credential = `${keys.OSS_ACCESS_KEY_ID}/${date.slice(0, 8)}/${region}/oss/aliyun_v4_request`;
    const vars = Object.entries(request.vars ?? {}).map(([name, value]) => [`x:${name}`, value]);
    const policy = JSON.stringify({
      expiration: expiresAt.toISOString(),
      conditions: [
        { bucket: config.OSS_BUCKET },
        { 'x-oss-signature-version': 'OSS4-HMAC-SHA256' },
        { 'x-oss-credential': credential },
        { 'x-oss-date': date },
        ['eq', '$key', key],
        ['content-length-range', 1, request.size],
        ['eq', '$Content-Type', request.contentType],
        ['eq', '$success_action_status', '200'],
        { callback: headers['x-oss-callback'] },
        ...vars.map(([name, value]) => ['eq', `$${name}`, value]),
        ['eq', '$x-oss-meta-upload-token', headers['x-oss-meta-upload-token']],
      ],
    });
    const fields: Record<string, string> = {
      key,
      policy: base64(policy),
      'x-oss-signature-version': 'OSS4-HMAC-SHA256',
      'x-oss-credential': credential,
      'x-oss-date': date,
      'x-oss-signature': oss.signPostObjectPolicyV4(policy, now),
      'Content-Type': request.contentType,
      success_action_status: '200',
      callback: headers['x-oss-callback'] ?? '',
      ...Object.fromEntries(vars),
      'x-oss-meta-upload-token': headers['x-oss-meta-upload-token'] ?? '',
    };
    return { post: { url: `https://${config.OSS_BUCKET}.oss-${region}.aliyuncs.com/`, fields } };
  };
  return { put, post };
}

/** The upload's headers: its type, the callback to this upload's token, the variables, no overwrite. */
function uploadHeaders(options: PeerOptions, claims: Record<string, unknown>, request: SignRequest) {
  const { config } = options;
  const json = JSON.stringify(claims);
  const mac = createHmac('sha256', config.CALLBACK_TOKEN_SECRET).update(json).digest('base64url');
  const token = `${Buffer.from(json).toString('base64url')}.${mac}`;
  const callback = JSON.stringify({
    callbackUrl: `${config.CALLBACK_BASE_URL}/${token}`,
    callbackBody: options.callbackBody,
    callbackBodyType: options.callbackBodyType,
    callbackSNI: true,
  });
  const vars = Object.fromEntries(Object.entries(request.vars ?? {}).map(([name, value]) => [`x:${name}`, value]));
  const headers: Record<string, string> = {
    'Content-Type': request.contentType,
    'x-oss-callback': base64(callback),
    'x-oss-meta-upload-token': token,
  };
  if (request.vars) headers['x-oss-callback-var'] = base64(JSON.stringify(vars));
  if (config.UPLOAD_FORBID_OVERWRITE) headers['x-oss-forbid-overwrite'] = 'true';
  return headers;
}

export function createPeerSignHandler(options: PeerOptions) {
  const { config, clock } = options;
  const verify = tokenVerifier(options);
  const signer = uploadSigner(options);
  const core: HttpHandler = async (event) => {
    if (event.requestContext.http.method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', 'use POST');
    const user = await verify(event.headers.authorization);
    const request = readRequest(event, config);
    const now = clock.now();
    const uploadId = randomUUID();
    const name = request.filename.replace(/[^A-Za-z0-9._-]+/g, '-');
    const month = String(now.getUTCMonth() + 1).padStart(2, '0');
    const key = `${config.UPLOAD_PREFIX}${user}/${now.getUTCFullYear()}/${month}/${uploadId}-${name}`;
    const seconds =
      request.mode === 'post' ? Math.min(config.UPLOAD_EXPIRES_SECONDS, 900) : config.UPLOAD_EXPIRES_SECONDS;
    const expiresAt = new Date(now.getTime() + seconds * 1000);
    const exp = Math.floor(expiresAt.getTime() / 1000) + config.CALLBACK_TOKEN_GRACE_SECONDS;
    const claims = { id: uploadId, bucket: config.OSS_BUCKET, key, maxSize: request.size, type: request.contentType };
    const headers = uploadHeaders(options, { ...claims, user, exp, vars: request.vars ?? {} }, request);
    const signed =
      request.mode === 'post'
        ? signer.post(key, now, expiresAt, request, headers)
        : await signer.put(key, seconds, headers);
    // One kind of upload: its answer names the one route, as ours does without a declaration.
    return jsonResponse(200, { uploadId, key, route: 'default', expiresAt: expiresAt.toISOString(), ...signed });
  };
  const corsOptions = { origins: config.CORS_ORIGINS, methods: 'POST,OPTIONS', headers: 'authorization,content-type' };
  return httpChain(core, {
    logger: options.logger,
    name: 'sign-upload',
    ...(config.CORS_ORIGINS.length ? { cors: cors({ ...corsOptions, maxAge: 600 }) } : {}),
  });
}
