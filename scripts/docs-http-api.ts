/**
 * The HTTP API as data: every endpoint of sign-upload and upload-callback, who may call it, what it takes, what
 * it answers, and every error it answers with (status and machine-readable code, as the handlers throw them).
 * Request bodies are the functions' own zod schemas; scripts/docs-openapi.ts turns this into docs/openapi.json
 * and docs/http-api.md. test/scripts/docs-http-api.test.ts fails when the code throws a code that is not here,
 * or this lists one the code no longer throws.
 */
import * as z from 'zod/mini';
import { s3SignSchema } from '../functions/sign-upload/s3/schema';
import { signRequestSchema } from '../functions/sign-upload/sign-body';
import { callbackBodySchema } from '../functions/upload-callback/callback-body';

export type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema> };

export interface ErrorCase {
  status: number;
  code: string;
  when: string;
}

export type Auth = 'jwt' | 'grant' | 'oss-signature';

export interface Answer {
  status: number;
  description: string;
  mediaType: 'application/json' | 'application/xml';
  schema: JsonSchema;
}

export interface Endpoint {
  operationId: string;
  fn: 'sign-upload' | 'upload-callback';
  path: string;
  summary: string;
  description: string;
  auth: Auth;
  parameters?: { name: string; in: 'path' | 'query'; description: string; schema: JsonSchema }[];
  /** None for a call that sends no body. */
  body?: { mediaTypes: string[]; schema: JsonSchema; description: string };
  answers: Answer[];
  /** How errors are written: `{ "error": { code, message } }`, or S3's `<Error><Code>` for Uppy. */
  errorFormat: 'json' | 'xml';
  errors: ErrorCase[];
}

/** A zod schema as JSON Schema, as a request carries it (before transforms and defaults). */
export function requestSchema(schema: z.ZodMiniType, patches: Record<string, JsonSchema> = {}): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  for (const [name, patch] of Object.entries(patches)) {
    json.properties = { ...json.properties, [name]: { ...json.properties?.[name], ...patch } };
  }
  return json;
}

const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };

/** What OSS's callback fields are (OSS system variables, as our callback body template names them). */
export const CALLBACK_FIELDS: Record<string, string> = {
  bucket: 'The bucket (${bucket}).',
  object: "The object's key (${object}).",
  etag: "The object's ETag (${etag}).",
  size: "The object's size in bytes (${size}).",
  mimeType: "The object's Content-Type (${mimeType}).",
  'imageInfo.height': "An image's height in pixels (${imageInfo.height}); empty for other files.",
  'imageInfo.width': "An image's width in pixels (${imageInfo.width}).",
  'imageInfo.format': "An image's format (${imageInfo.format}).",
  crc64: "The object's CRC-64/ECMA as decimal digits (${crc64}).",
  contentMd5: 'The Content-MD5 the client sent, if any (${contentMd5}).',
  vpcId: 'The VPC the upload came through, if any (${vpcId}).',
  clientIp: "The uploading client's IP address (${clientIp}).",
  reqId: "OSS's request id of the upload (${reqId}).",
  operation: 'The OSS operation that stored the object (${operation}).',
};

const describedCallbackBody = (): JsonSchema => {
  const json = requestSchema(callbackBodySchema);
  for (const [name, property] of Object.entries(json.properties ?? {})) {
    property.description = CALLBACK_FIELDS[name];
  }
  json.additionalProperties = { type: 'string', description: 'x:<name>: the custom variables signed with the upload.' };
  return json;
};

export const errorBodySchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Machine-readable: branch on this.' },
        message: { type: 'string', description: 'For people; 5xx answers say only "Internal server error".' },
      },
      additionalProperties: {
        description: 'Facts beside the message, e.g. route and maxBytes on FileTooLarge, routes on UnknownRoute.',
      },
    },
  },
};

const xmlText = (example: string): JsonSchema => ({ type: 'string', examples: [example] });

/** Every answer a bearer-JWT JSON endpoint of sign-upload can give before its own checks. */
const JWT_JSON_ERRORS: ErrorCase[] = [
  { status: 401, code: 'MissingToken', when: 'no Authorization: Bearer <JWT> header' },
  {
    status: 401,
    code: 'InvalidToken',
    when: "the JWT's signature, issuer, audience, sub or algorithm is not accepted",
  },
  {
    status: 401,
    code: 'TokenExpired',
    when: 'the JWT has expired, or its iat is older than AUTH_MAX_TOKEN_AGE_SECONDS',
  },
  { status: 401, code: 'SubjectTooLong', when: "the JWT's sub is longer than 255 bytes" },
  { status: 413, code: 'RequestTooLarge', when: 'the body is over the endpoint limit' },
  { status: 415, code: 'UnsupportedMediaType', when: 'the body is not Content-Type: application/json' },
  { status: 400, code: 'InvalidJson', when: 'the body is not UTF-8 JSON' },
  { status: 400, code: 'InvalidRequest', when: 'the body does not match its schema (the message names the field)' },
];

/** What a route says about a file, checked the same way by POST / and /s3/sign. */
const ROUTE_ERRORS: ErrorCase[] = [
  { status: 400, code: 'RouteRequired', when: 'several routes are declared and none is the default: name one' },
  { status: 400, code: 'UnknownRoute', when: 'the route named is not declared (facts: routes)' },
  { status: 403, code: 'RouteNotAllowed', when: 'the JWT lacks a claim the route requires (facts: route)' },
  { status: 400, code: 'UploadModeNotAllowed', when: 'the route does not take this mode (facts: route, uploads)' },
  { status: 413, code: 'FileTooLarge', when: "size is over the route's limit (facts: route, maxBytes)" },
  { status: 400, code: 'FileTooSmall', when: "size is under the route's minimum (facts: route, minBytes)" },
  { status: 403, code: 'ContentTypeNotAllowed', when: 'the type is not one the route takes (facts: route, types)' },
  { status: 400, code: 'InvalidFilename', when: 'the file name is a path or holds control characters' },
  {
    status: 400,
    code: 'CannotSign',
    when: "the upload cannot be signed within OSS's callback limits (a very long sub, say)",
  },
];

const GRANT_ERRORS: ErrorCase[] = [
  { status: 403, code: 'UploadNotAllowed', when: 'the grant is not one this server issued for this key (and user)' },
  {
    status: 403,
    code: 'UploadExpired',
    when: "the multipart upload is past its window (the route's, else UPLOAD_MULTIPART_EXPIRES_SECONDS)",
  },
];

/** OSS's own refusal of a server-side multipart call, passed on (5xx and 403 become UpstreamError). */
const OSS_ERRORS: ErrorCase[] = [
  { status: 404, code: 'NoSuchUpload', when: 'the upload was already completed or aborted' },
  { status: 502, code: 'UpstreamError', when: 'OSS refused the call or failed (the message names its code)' },
];

/** Every endpoint answers these for a failure of its own. */
export const COMMON_ERRORS: ErrorCase[] = [
  { status: 405, code: 'MethodNotAllowed', when: 'any method but POST (Allow names the methods)' },
  { status: 500, code: 'ConfigurationError', when: 'a setting is missing or bad (the message names the variable)' },
  { status: 500, code: 'InternalError', when: 'anything unexpected (no details are exposed; the log line has them)' },
];

const signAnswer: JsonSchema = {
  type: 'object',
  required: ['uploadId', 'key', 'route', 'expiresAt'],
  properties: {
    uploadId: { type: 'string', format: 'uuid', description: "The upload's id: its record's upload_id." },
    key: { type: 'string', description: 'The object key the server chose.' },
    route: { type: 'string', description: 'The route the upload is signed for.' },
    expiresAt: { type: 'string', format: 'date-time', description: 'When the signed URL or form stops working.' },
    put: {
      type: 'object',
      description: 'mode put: send the file as the body of PUT url with exactly these headers.',
      required: ['method', 'url', 'headers'],
      properties: { method: { const: 'PUT' }, url: { type: 'string', format: 'uri' }, headers: stringMap },
    },
    post: {
      type: 'object',
      description: 'mode post: a multipart/form-data POST to url with these fields in order, the file last.',
      required: ['url', 'fields'],
      properties: { url: { type: 'string', format: 'uri' }, fields: stringMap },
    },
  },
  oneOf: [{ required: ['put'] }, { required: ['post'] }],
};

const presignedAnswer: JsonSchema = {
  type: 'object',
  required: ['url'],
  properties: {
    url: {
      type: 'string',
      format: 'uri',
      description: 'Where Uppy sends the request (OSS, or /s3/create and /s3/complete of this server).',
    },
    key: { type: 'string', description: 'A new upload: the key the server chose (Uppy stores under it).' },
    headers: { ...stringMap, description: 'Headers to send exactly as given (a single PUT).' },
    fields: { ...stringMap, description: 'mode post: the PostObject form fields.' },
    partSize: { type: 'integer', description: 'A multipart upload: the size of every part but the last.' },
  },
};

const callbackAnswer: JsonSchema = {
  type: 'object',
  required: ['Status', 'uploadId', 'key', 'record'],
  properties: {
    Status: { const: 'OK' },
    uploadId: { type: 'string', format: 'uuid' },
    key: { type: 'string' },
    record: {
      enum: ['recorded', 'pending'],
      description:
        'recorded: the record is written (or was already); pending: HeadObject found no object yet, nothing was written, the OSS event records it.',
    },
  },
};

const grantParameters = (kind: string) => [
  {
    name: 'grant',
    in: 'path' as const,
    description: `The ${kind} grant /s3/sign handed out: the credential of this call (no JWT).`,
    schema: { type: 'string' },
  },
  { name: 'key', in: 'query' as const, description: 'The key the grant was issued for.', schema: { type: 'string' } },
];

export const ENDPOINTS: Endpoint[] = [
  {
    operationId: 'signUpload',
    fn: 'sign-upload',
    path: '/',
    summary: 'Sign one upload',
    description:
      'Checks the file against its route, chooses the key, binds a callback token to this upload, and answers a presigned PUT (mode put) or a PostObject form (mode post). The client then uploads straight to OSS; OSS calls upload-callback when the object is stored.',
    auth: 'jwt',
    body: {
      mediaTypes: ['application/json'],
      schema: requestSchema(signRequestSchema, { vars: stringMap }),
      description: 'The file to upload (at most 16 KiB of JSON).',
    },
    answers: [{ status: 200, description: 'Signed.', mediaType: 'application/json', schema: signAnswer }],
    errorFormat: 'json',
    errors: [
      ...JWT_JSON_ERRORS,
      ...ROUTE_ERRORS,
      { status: 403, code: 'VarNotAllowed', when: 'a variable the route does not allow' },
      { status: 400, code: 'InvalidVars', when: 'a variable too long, or with characters outside A-Z a-z 0-9 . _ : -' },
    ],
  },
  {
    operationId: 'presignForUppy',
    fn: 'sign-upload',
    path: '/s3/sign',
    summary: "Uppy's signRequest (@uppy/aws-s3)",
    description:
      'Signs each request @uppy/aws-s3 makes: a single PUT (or PostObject form), or the steps of a multipart upload. Starting and completing a multipart upload are answered with URLs of this server (/s3/create, /s3/complete), which make those calls to OSS themselves; parts, ListParts and Abort are presigned to OSS.',
    auth: 'jwt',
    body: {
      mediaTypes: ['application/json'],
      schema: requestSchema(s3SignSchema),
      description: "Uppy's PresignableRequest plus the file's name, size, type and route (at most 8 KiB of JSON).",
    },
    answers: [{ status: 200, description: 'Signed.', mediaType: 'application/json', schema: presignedAnswer }],
    errorFormat: 'json',
    errors: [
      ...JWT_JSON_ERRORS,
      ...ROUTE_ERRORS,
      { status: 400, code: 'UnsupportedRequest', when: 'GET or DELETE without an uploadId' },
      { status: 403, code: 'KeyNotAllowed', when: "the key is not under this user's folder" },
      ...GRANT_ERRORS,
      {
        status: 403,
        code: 'PartNumberNotAllowed',
        when: "partNumber is beyond the parts the upload's signed size needs",
      },
    ],
  },
  {
    operationId: 'createMultipartUpload',
    fn: 'sign-upload',
    path: '/s3/create/{grant}',
    summary: 'Start a multipart upload (a URL /s3/sign answered)',
    description:
      "Starts the upload at OSS with the signed type, forbid-overwrite and the object's proof, and answers S3's InitiateMultipartUploadResult; its UploadId is an upload grant that Uppy carries on every later step. A replay answers the upload already started, never a second one.",
    auth: 'grant',
    parameters: grantParameters('create'),
    answers: [
      {
        status: 200,
        description: 'Started (or already started by this grant).',
        mediaType: 'application/xml',
        schema: xmlText(
          '<InitiateMultipartUploadResult><Bucket>…</Bucket><Key>…</Key><UploadId>…</UploadId></InitiateMultipartUploadResult>',
        ),
      },
    ],
    errorFormat: 'xml',
    errors: [...GRANT_ERRORS, ...OSS_ERRORS],
  },
  {
    operationId: 'completeMultipartUpload',
    fn: 'sign-upload',
    path: '/s3/complete/{grant}',
    summary: 'Complete a multipart upload (a URL /s3/sign answered)',
    description:
      "Checks the client's part list against the uploaded parts and the signed size, then completes the upload at OSS with the callback and forbid-overwrite. Parts adding up to more than the signed size abort the upload. One use: a replay is 404 NoSuchUpload.",
    auth: 'grant',
    parameters: grantParameters('upload'),
    body: {
      mediaTypes: ['application/xml'],
      schema: xmlText(
        '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"…"</ETag></Part></CompleteMultipartUpload>',
      ),
      description: "S3's CompleteMultipartUpload part list (at most 1 MiB).",
    },
    answers: [
      {
        status: 200,
        description: 'Completed, and OSS called upload-callback successfully.',
        mediaType: 'application/xml',
        schema: xmlText(
          '<CompleteMultipartUploadResult><Location>…</Location><Bucket>…</Bucket><Key>…</Key><ETag>…</ETag></CompleteMultipartUploadResult>',
        ),
      },
      {
        status: 203,
        description:
          "Completed, but OSS's callback failed (OSS's CallbackFailed): the object is stored and the OSS event records it.",
        mediaType: 'application/xml',
        schema: xmlText('<CompleteMultipartUploadResult>…</CompleteMultipartUploadResult>'),
      },
    ],
    errorFormat: 'xml',
    errors: [
      ...GRANT_ERRORS,
      { status: 400, code: 'MalformedXML', when: 'the body is not a part list of PartNumber 1..10000 and MD5 ETags' },
      { status: 413, code: 'RequestTooLarge', when: 'the part list is over 1 MiB' },
      {
        status: 403,
        code: 'PartNumberNotAllowed',
        when: "a part number is beyond the parts the upload's signed size needs",
      },
      { status: 400, code: 'InvalidPart', when: 'a listed part was not uploaded with that ETag' },
      { status: 400, code: 'InvalidPartOrder', when: 'the parts are not in ascending order' },
      {
        status: 413,
        code: 'EntityTooLarge',
        when: 'the parts add up to more than the signed size: the upload is aborted',
      },
      { status: 400, code: 'FileTooSmall', when: "the parts add up to less than the route's minimum" },
      {
        status: 409,
        code: 'FileAlreadyExists',
        when: "OSS's: an object is at the key and overwriting is forbidden (the upload is aborted); other OSS 4xx codes, such as EntityTooSmall, pass through the same way",
      },
      ...OSS_ERRORS,
    ],
  },
  {
    operationId: 'ossCallback',
    fn: 'upload-callback',
    path: '/{token}',
    summary: "OSS's upload callback",
    description:
      "OSS POSTs here after storing an object sign-upload signed (the URL is CALLBACK_BASE_URL/<token>, set in the signed upload). The function verifies OSS's signature over the exact path and body, the token, and (CALLBACK_CONFIRM) the stored object with HeadObject, then records the upload once, idempotently, and answers within OSS's 5 seconds. Not for clients: only OSS's signed requests pass.",
    auth: 'oss-signature',
    parameters: [
      {
        name: 'token',
        in: 'path',
        description:
          'The upload token sign-upload bound to this upload (its id, key, user, limits and expiry, under a MAC).',
        schema: { type: 'string' },
      },
    ],
    body: {
      mediaTypes: ['application/x-www-form-urlencoded', 'application/json'],
      schema: describedCallbackBody(),
      description: "OSS's rendering of the callback body sign-upload set (at most 64 KiB).",
    },
    answers: [
      {
        status: 200,
        description: 'Recorded, or pending (see record).',
        mediaType: 'application/json',
        schema: callbackAnswer,
      },
    ],
    errorFormat: 'json',
    errors: [
      { status: 400, code: 'UnexpectedQuery', when: 'the URL has a query string (callback URLs never do)' },
      { status: 413, code: 'RequestTooLarge', when: 'the body is over 64 KiB' },
      { status: 401, code: 'CallbackNotSigned', when: 'no Authorization or x-oss-pub-key-url header' },
      { status: 403, code: 'UntrustedPublicKey', when: "x-oss-pub-key-url is not OSS's key (or a trusted local one)" },
      { status: 403, code: 'InvalidCallbackSignature', when: 'the signature does not verify' },
      { status: 403, code: 'InvalidCallbackToken', when: 'the path names no upload this deployment signed' },
      {
        status: 403,
        code: 'CallbackTokenExpired',
        when: 'the token is past its expiry plus CALLBACK_TOKEN_GRACE_SECONDS',
      },
      { status: 400, code: 'MalformedCallbackBody', when: 'a field is missing, repeated or malformed' },
      {
        status: 403,
        code: 'CallbackMismatch',
        when: 'the bucket, or the stored object, is not the upload the token signed',
      },
      {
        status: 503,
        code: 'ObjectUnavailable',
        when: 'HeadObject failed or timed out (OSS_TIMEOUT_MS); OSS does not retry a callback: the upload-event path records the upload',
      },
      { status: 503, code: 'StoreUnavailable', when: 'the database failed or was slower than CALLBACK_DEADLINE_MS' },
    ],
  },
];
