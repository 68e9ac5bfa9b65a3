/**
 * A bucket's CORS configuration as OSS keeps it (PutBucketCors / GetBucketCors XML), how OSS applies it, and
 * what uploads straight from a browser need of it. OSS tries the rules in order and the first whose
 * AllowedOrigin, AllowedMethod and (for a preflight) AllowedHeader all match decides the answer; with no match
 * there are no CORS headers, and a preflight is refused with 403. PutBucketCors replaces every rule, so a
 * change is always "read, edit, write back the whole list".
 * @see https://www.alibabacloud.com/help/en/oss/developer-reference/putbucketcors (matching, overwrite, ≤ 10 rules)
 * @see https://www.alibabacloud.com/help/en/oss/developer-reference/options (the preflight's answer headers)
 * @see https://www.alibabacloud.com/help/en/object-storage-service/latest/configure-cors-rules (one `*` per origin
 *   and per allowed header; allowed headers are not case-sensitive; no `*` in exposed headers; expose ETag and
 *   x-oss-request-id)
 */
import { decodeXmlText, escapeXml, xmlBlocks, xmlValue } from './xml';

export const CORS_METHODS = ['GET', 'PUT', 'DELETE', 'POST', 'HEAD'] as const;
/** OSS: at most 10 rules per bucket, in an XML document of at most 16 KB. */
export const MAX_CORS_RULES = 10;
export const MAX_CORS_XML_BYTES = 16 * 1024;

export interface CorsRule {
  origins: string[];
  methods: string[];
  headers: string[];
  expose: string[];
  maxAgeSeconds?: number;
}

export interface CorsConfiguration {
  rules: CorsRule[];
  /** Whether OSS adds `Vary: Origin` to every answer. */
  responseVary?: boolean;
}

/**
 * The rule browsers uploading through this project need: PUT (presigned PUT, UploadPart), POST (PostObject),
 * GET (ListParts, to resume), DELETE (Abort), HEAD; Content-Type and the signed `x-oss-*` headers (callback,
 * callback variables, forbid-overwrite, the upload token); and ETag exposed, without which a browser cannot
 * read part ETags and Complete fails (oss-events-multipart.md §5), with x-oss-request-id for support cases.
 */
export const UPLOAD_CORS_RULE: Omit<CorsRule, 'origins'> = {
  methods: ['PUT', 'POST', 'GET', 'DELETE', 'HEAD'],
  headers: ['content-type', 'x-oss-*'],
  expose: ['ETag', 'x-oss-request-id'],
  maxAgeSeconds: 600,
};

/** What browsers send with the uploads sign-upload signs (docs/http-api.md, sign-upload): the check's probe. */
const UPLOAD_REQUEST_HEADERS = [
  'content-type',
  'x-oss-callback',
  'x-oss-callback-var',
  'x-oss-forbid-overwrite',
  'x-oss-meta-upload-token',
];

const texts = (xml: string, tag: string) => xmlBlocks(xml, tag).map((text) => decodeXmlText(text).trim());

export function parseCorsXml(xml: string): CorsConfiguration {
  const rules = xmlBlocks(xml, 'CORSRule').map((rule): CorsRule => {
    const maxAge = xmlValue(rule, 'MaxAgeSeconds');
    return {
      origins: texts(rule, 'AllowedOrigin'),
      methods: texts(rule, 'AllowedMethod'),
      headers: texts(rule, 'AllowedHeader'),
      expose: texts(rule, 'ExposeHeader'),
      ...(maxAge ? { maxAgeSeconds: Number(maxAge) } : {}),
    };
  });
  const vary = xmlValue(xml, 'ResponseVary');
  return { rules, ...(vary === undefined ? {} : { responseVary: vary.trim() === 'true' }) };
}

export function corsXml(config: CorsConfiguration): string {
  const list = (tag: string, values: string[]) => values.map((v) => `<${tag}>${escapeXml(v)}</${tag}>`).join('');
  const rules = config.rules.map(
    (r) =>
      `<CORSRule>${list('AllowedOrigin', r.origins)}${list('AllowedMethod', r.methods)}` +
      `${list('AllowedHeader', r.headers)}${list('ExposeHeader', r.expose)}` +
      `${r.maxAgeSeconds === undefined ? '' : `<MaxAgeSeconds>${r.maxAgeSeconds}</MaxAgeSeconds>`}</CORSRule>`,
  );
  const vary = config.responseVary === undefined ? '' : `<ResponseVary>${config.responseVary}</ResponseVary>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<CORSConfiguration>${rules.join('')}${vary}</CORSConfiguration>`;
}

/** OSS's patterns: a `*` (OSS allows one) matches any run of characters, itself included. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star === -1) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

export interface CorsRequest {
  origin: string;
  method: string;
  /** A preflight's Access-Control-Request-Headers; none for the request itself. */
  headers: string[];
}

/** The rule OSS applies to `request`: the first that matches it, or undefined. */
export function corsRuleFor(config: CorsConfiguration | undefined, request: CorsRequest): CorsRule | undefined {
  return config?.rules.find(
    (rule) =>
      rule.origins.some((o) => wildcardMatch(o, request.origin)) &&
      rule.methods.includes(request.method) &&
      request.headers.every((h) => rule.headers.some((a) => wildcardMatch(a.toLowerCase(), h.toLowerCase()))),
  );
}

export interface CorsPlan {
  ok: string[];
  /** What is missing, one line each. */
  findings: string[];
  /** The whole configuration to put back, when anything is missing and it can be fixed. */
  next?: CorsConfiguration;
  /** What `next` changes, one line. */
  change?: string;
  /** Why `--apply` cannot fix it, and what to do instead. */
  blocked?: string;
}

const sameSet = (a: string[], b: string[]) => {
  const lower = (list: string[]) => [...new Set(list.map((s) => s.toLowerCase()))].sort().join('\n');
  return lower(a) === lower(b);
};
/** A rule this plan wrote before: the upload rule's methods, headers and exposed headers, any origins. */
const isUploadRule = (rule: CorsRule) =>
  sameSet(rule.methods, UPLOAD_CORS_RULE.methods) &&
  sameSet(rule.headers, UPLOAD_CORS_RULE.headers) &&
  sameSet(rule.expose, UPLOAD_CORS_RULE.expose);

/** The keys of `map` grouped by equal values, so origins that lack the same things share one line. */
function grouped(map: Map<string, string[]>): [string[], string[]][] {
  const byValue = new Map<string, [string[], string[]]>();
  for (const [key, value] of map) {
    const group = byValue.get(value.join());
    if (group) group[0].push(key);
    else byValue.set(value.join(), [[key], value]);
  }
  return [...byValue.values()];
}

const plural = (list: string[], word: string) => `${word}${list.length > 1 ? 's' : ''} ${list.join(', ')}`;

/** What `current` lacks for browser uploads from `origins`, and the configuration that fixes it. */
export function planCors(current: CorsConfiguration | undefined, origins: string[]): CorsPlan {
  const { methods, headers, expose } = UPLOAD_CORS_RULE;
  const missing = new Map<string, string[]>();
  const unexposed = new Map<string, string[]>();
  for (const origin of origins) {
    const rules = methods.map((method) => corsRuleFor(current, { origin, method, headers: UPLOAD_REQUEST_HEADERS }));
    const denied = methods.filter((_, i) => !rules[i]);
    if (denied.length) missing.set(origin, denied);
    const lacking = expose.filter((h) =>
      rules.some((r) => r && !r.expose.some((e) => e.toLowerCase() === h.toLowerCase())),
    );
    if (lacking.length) unexposed.set(origin, lacking);
  }
  const findings = [
    ...grouped(missing).map(
      ([who, denied]) =>
        `CORS rule missing: no rule allows ${plural(who, 'origin')} to ${denied.join(', ')} with headers ${headers.join(', ')}`,
    ),
    ...grouped(unexposed).map(
      ([who, lacking]) =>
        `CORS rule for ${plural(who, 'origin')} exposes no ${lacking.join(', ')}` +
        (lacking.includes('ETag') ? ' (browsers cannot read part ETags, so multipart uploads fail at Complete)' : ''),
    ),
  ];
  const fine = origins.filter((o) => !missing.has(o) && !unexposed.has(o));
  const ok = fine.length
    ? [
        `CORS: ${plural(fine, 'origin')} may ${methods.join(', ')} with headers ${headers.join(', ')}; ${expose.join(', ')} exposed`,
      ]
    : [];
  if (!findings.length) return { ok, findings };

  // The upload rule goes first: OSS applies the first matching rule, so an earlier rule that matches without
  // exposing ETag would otherwise still win. It matches only our origins, methods and headers.
  const rules = current?.rules ?? [];
  const previous = rules.find(isUploadRule);
  const added = origins.filter((o) => !previous?.origins.includes(o));
  const upload: CorsRule = { origins: [...(previous?.origins ?? []), ...added], ...UPLOAD_CORS_RULE };
  const next = { ...current, rules: [upload, ...rules.filter((r) => r !== previous)] };
  if (next.rules.length > MAX_CORS_RULES)
    return {
      ok,
      findings,
      blocked: `the bucket has ${rules.length} CORS rules, OSS's most: merge or remove one, then run --apply again`,
    };
  const moved = previous && rules[0] !== previous;
  const change = previous
    ? added.length
      ? `CORS: added ${plural(added, 'origin')} to the upload rule${moved ? ', moved it first' : ''}`
      : 'CORS: moved the upload rule first'
    : `CORS: added a rule for ${plural(origins, 'origin')}: ${methods.join(', ')}; headers ${headers.join(', ')}; ` +
      `exposes ${expose.join(', ')}; max age ${UPLOAD_CORS_RULE.maxAgeSeconds} s` +
      (rules.length ? `, before the ${rules.length} rule${rules.length > 1 ? 's' : ''} already there` : '');
  return { ok, findings, next, change };
}
