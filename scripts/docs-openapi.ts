/**
 * docs/openapi.json (OpenAPI 3.1) and the endpoint reference of docs/http-api.md, both from the endpoints in
 * docs-http-api.ts, so the two cannot disagree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Answer,
  COMMON_ERRORS,
  ENDPOINTS,
  type Endpoint,
  type ErrorCase,
  errorBodySchema,
  type JsonSchema,
} from './docs-http-api';
import { code, markdownTable, withBlock } from './docs-markdown';
import { PROJECT_ROOT } from './routes-file';

export const OPENAPI_FILE = 'docs/openapi.json';
export const HTTP_API_PAGE = 'docs/http-api.md';

const SERVERS = {
  'sign-upload': {
    url: '{signUpload}',
    description: "sign-upload's public URL (SIGN_PUBLIC_URL, or its trigger's URL)",
    variables: { signUpload: { default: 'https://sign.example.com' } },
  },
  'upload-callback': {
    url: '{uploadCallback}',
    description: "upload-callback's public URL (CALLBACK_PUBLIC_URL, else CALLBACK_BASE_URL)",
    variables: { uploadCallback: { default: 'https://callback.example.com' } },
  },
};

const SECURITY = {
  jwt: [{ bearerJwt: [] }],
  grant: [],
  'oss-signature': [{ ossCallbackSignature: [] }],
};

const byStatus = (errors: ErrorCase[]) => {
  const groups = new Map<number, ErrorCase[]>();
  for (const e of errors) groups.set(e.status, [...(groups.get(e.status) ?? []), e]);
  return [...groups].sort(([a], [b]) => a - b);
};

function errorResponse(endpoint: Endpoint, cases: ErrorCase[]) {
  const codes = [...new Set(cases.map((c) => c.code))];
  const description = cases.map((c) => `${c.code}: ${c.when}`).join('. ');
  if (endpoint.errorFormat === 'xml') {
    const example = `<Error><Code>${codes[0]}</Code><Message>…</Message></Error>`;
    return { description, content: { 'application/xml': { schema: { type: 'string', examples: [example] } } } };
  }
  const narrowed = { properties: { error: { properties: { code: { enum: codes } } } } };
  return {
    description,
    content: { 'application/json': { schema: { allOf: [{ $ref: '#/components/schemas/ErrorBody' }, narrowed] } } },
  };
}

/** The named schemas of JSON bodies (`SignUploadRequest`, `SignUploadAnswer`, …), for client generators. */
const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function namedSchemas(): Record<string, JsonSchema> {
  const named: Record<string, JsonSchema> = { ErrorBody: errorBodySchema };
  for (const e of ENDPOINTS) {
    if (e.body?.schema.properties) named[`${pascal(e.operationId)}Request`] = e.body.schema;
    for (const a of e.answers) if (a.schema.properties) named[`${pascal(e.operationId)}Answer`] = a.schema;
  }
  return named;
}

const answerResponse = (e: Endpoint, a: Answer) => ({
  description: a.description,
  content: { [a.mediaType]: { schema: a.schema.properties ? ref(`${pascal(e.operationId)}Answer`) : a.schema } },
});

function operation(endpoint: Endpoint) {
  // Every endpoint is a POST: a wrong method is the common 405, not part of this operation.
  const errors = [...endpoint.errors, ...COMMON_ERRORS.filter((e) => e.status !== 405)];
  const responses = Object.fromEntries([
    ...endpoint.answers.map((a) => [String(a.status), answerResponse(endpoint, a)]),
    ...byStatus(errors).map(([status, cases]) => [String(status), errorResponse(endpoint, cases)]),
  ]);
  const ossHeader = {
    name: 'x-oss-pub-key-url',
    in: 'header',
    required: true,
    description: "Base64 of the URL of OSS's public key the signature is under.",
    schema: { type: 'string' },
  };
  const parameters = [
    ...(endpoint.parameters ?? []).map((p) => ({ ...p, required: p.in === 'path' || p.name === 'key' })),
    ...(endpoint.auth === 'oss-signature' ? [ossHeader] : []),
  ];
  return {
    operationId: endpoint.operationId,
    tags: [endpoint.fn],
    summary: endpoint.summary,
    description: endpoint.description,
    security: SECURITY[endpoint.auth],
    ...(parameters.length ? { parameters } : {}),
    ...(endpoint.body
      ? {
          requestBody: {
            required: true,
            description: endpoint.body.description,
            content: Object.fromEntries(
              endpoint.body.mediaTypes.map((m) => [
                m,
                {
                  schema: endpoint.body?.schema.properties
                    ? ref(`${pascal(endpoint.operationId)}Request`)
                    : endpoint.body?.schema,
                },
              ]),
            ),
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document, as docs/openapi.json holds it. */
export function openApiDocument(): Record<string, unknown> {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  const paths: Record<string, unknown> = {};
  for (const endpoint of ENDPOINTS) {
    paths[endpoint.path] = { servers: [SERVERS[endpoint.fn]], post: operation(endpoint) };
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'oss-upload-callback',
      version: pkg.version,
      summary: 'Sign direct-to-OSS uploads; record them through verified OSS callbacks.',
      description:
        "sign-upload signs uploads for authenticated clients; upload-callback is the URL OSS calls after storing one. Generated from the functions' schemas by npm run docs:generate (docs/http-api.md explains it); do not edit.",
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [
      { name: 'sign-upload', description: 'Signs uploads for clients with a JWT from your auth server.' },
      { name: 'upload-callback', description: 'Called by OSS only, with its signature.' },
    ],
    paths,
    components: {
      schemas: namedSchemas(),
      securitySchemes: {
        bearerJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "A JWT from your auth server: HS256 under AUTH_JWT_SECRET, or RS256/ES256 from AUTH_JWKS_URL; sub is the user; sub, iat and exp required. With AUTH_MODE=none, no header and every caller is 'anonymous'.",
        },
        ossCallbackSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            "OSS's RSA-MD5 signature (Base64) over the URL path and body, under the public key x-oss-pub-key-url names, which must be OSS's.",
        },
      },
    },
  };
}

export const openApiText = () => `${JSON.stringify(openApiDocument(), null, 2)}\n`;

// The Markdown reference.

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return code(JSON.stringify(s.const));
  if (Array.isArray(s.enum)) return s.enum.map((v) => code(JSON.stringify(v))).join(' or ');
  if (s.type === 'object' && s.additionalProperties) return 'object of strings';
  const range =
    s.minimum !== undefined && s.maximum !== undefined
      ? ` ${s.minimum}–${s.maximum}`
      : s.maxLength !== undefined
        ? ` ≤ ${s.maxLength} chars`
        : '';
  const format = typeof s.format === 'string' ? ` (${s.format})` : '';
  return `${String(s.type ?? 'any')}${format}${range}`;
}

function fieldTable(schema: JsonSchema): string {
  const required = (schema.required as string[] | undefined) ?? [];
  const rows = Object.entries(schema.properties ?? {}).map(([name, s]) => [
    code(name),
    typeOf(s),
    required.includes(name) ? 'yes' : '',
    s.default !== undefined ? code(JSON.stringify(s.default)) : '',
    String(s.description ?? ''),
  ]);
  return markdownTable(['field', 'type', 'required', 'default', 'meaning'], rows);
}

const AUTH_TEXT = {
  jwt: '`Authorization: Bearer <JWT>` (see [Authentication](#authentication))',
  grant: 'none: the grant in the path, which `/s3/sign` handed out, is the credential',
  'oss-signature': "OSS's signature (`Authorization`, `x-oss-pub-key-url`): only OSS can call it",
};

function endpointSection(e: Endpoint): string[] {
  const isJson = (m: string) => m === 'application/json' || m === 'application/x-www-form-urlencoded';
  const body = e.body?.mediaTypes.some(isJson) ? ['', fieldTable(e.body.schema)] : [];
  const bodyLine = e.body
    ? `Request body (${e.body.mediaTypes.map(code).join(' or ')}): ${e.body.description}`
    : 'Request body: none.';
  const answers = e.answers.flatMap((a) => [
    `**${a.status}** (${code(a.mediaType)}): ${a.description}`,
    ...(a.schema.properties
      ? ['', fieldTable(a.schema)]
      : a.schema.examples
        ? ['', code(String((a.schema.examples as string[])[0]))]
        : []),
    '',
  ]);
  const errors = markdownTable(
    ['status', 'code', 'when'],
    e.errors.map((c) => [String(c.status), code(c.code), c.when]),
  );
  return [
    `### ${code(`POST ${e.path}`)} (${e.fn})`,
    '',
    `${e.summary}. ${e.description}`,
    '',
    `Auth: ${AUTH_TEXT[e.auth]}.`,
    '',
    bodyLine,
    ...body,
    '',
    ...answers,
    `Errors (${e.errorFormat === 'xml' ? "S3's `<Error><Code>…</Code><Message>…</Message></Error>`, as Uppy reads them" : '`{ "error": { "code", "message" } }`'}), besides the [common ones](#errors-of-every-endpoint):`,
    '',
    errors,
    '',
  ];
}

/** The generated part of docs/http-api.md. */
export function httpApiReference(): string {
  const common = markdownTable(
    ['status', 'code', 'when'],
    COMMON_ERRORS.map((c) => [String(c.status), code(c.code), c.when]),
  );
  return [...ENDPOINTS.flatMap(endpointSection), '### Errors of every endpoint', '', common].join('\n');
}

export const withHttpApiReference = (page: string) => withBlock(page, HTTP_API_PAGE, 'endpoints', httpApiReference());
