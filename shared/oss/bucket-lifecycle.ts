/**
 * A bucket's lifecycle rules (PutBucketLifecycle / GetBucketLifecycle XML), read only as far as aborting
 * unfinished multipart uploads goes; every other rule is put back exactly as OSS gave it, because
 * PutBucketLifecycle replaces the whole list. OSS refuses two AbortMultipartUpload rules whose prefixes overlap.
 * `AbortMultipartUpload/Days` counts days since the upload's parts were last modified.
 * @see https://www.alibabacloud.com/help/en/oss/developer-reference/putbucketlifecycle (overwrite semantics:
 *   get, add, put; at most 1000 rules)
 * @see https://www.alibabacloud.com/help/en/oss/developer-reference/getbucketlifecycle (404 NoSuchLifecycle)
 * @see https://help.aliyun.com/zh/oss/support/0014-00000084 (overlapping prefixes with the same action)
 * @see https://help.aliyun.com/en/oss/user-guide/0014-00000073 (AbortMultipartUpload needs Days or CreatedBeforeDate)
 */
import { escapeXml, xmlBlocks, xmlValue } from './xml';

export const MAX_LIFECYCLE_RULES = 1000;

export interface LifecycleRule {
  id: string;
  prefix: string;
  enabled: boolean;
  /** Whether the rule has an AbortMultipartUpload action at all. */
  aborts: boolean;
  /** Its `Days`, when it aborts by age (not by a `CreatedBeforeDate` cut-off). */
  abortDays?: number;
  /** A Tag or Filter: the rule applies to only some uploads under its prefix. */
  narrowed: boolean;
  /** The rule's inner XML as read, put back unchanged. */
  xml: string;
}

/** The rule's own elements, without its actions and filters (their `Days`, `Prefix`, … are not the rule's). */
const ownElements = (rule: string) =>
  rule.replace(/<(Filter|Tag|Expiration|Transition|AbortMultipartUpload|NoncurrentVersion\w*)>[\s\S]*?<\/\1>/g, '');

export function parseLifecycleRule(xml: string): LifecycleRule {
  const own = ownElements(xml);
  const abort = xmlBlocks(xml, 'AbortMultipartUpload')[0];
  const days = abort === undefined ? undefined : xmlValue(abort, 'Days');
  return {
    id: xmlValue(own, 'ID')?.trim() ?? '',
    prefix: xmlValue(own, 'Prefix') ?? '',
    enabled: xmlValue(own, 'Status')?.trim() === 'Enabled',
    aborts: abort !== undefined,
    ...(days && /^\d+$/.test(days.trim()) ? { abortDays: Number(days) } : {}),
    narrowed: /<(Tag|Filter)>/.test(xml),
    xml,
  };
}

export const parseLifecycleXml = (xml: string): LifecycleRule[] => xmlBlocks(xml, 'Rule').map(parseLifecycleRule);

export const lifecycleXml = (rules: { xml: string }[]): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<LifecycleConfiguration>${rules.map((r) => `<Rule>${r.xml}</Rule>`).join('')}</LifecycleConfiguration>`;

/** The rule this project sets for `prefix`, named so `--apply` finds it again. */
export const abortRuleId = (prefix: string) => `abort-multipart ${prefix || '(whole bucket)'}`.slice(0, 255);

export function abortRule(prefix: string, days: number): LifecycleRule {
  const id = abortRuleId(prefix);
  return parseLifecycleRule(
    `<ID>${escapeXml(id)}</ID><Prefix>${escapeXml(prefix)}</Prefix><Status>Enabled</Status>` +
      `<AbortMultipartUpload><Days>${days}</Days></AbortMultipartUpload>`,
  );
}

/**
 * Days after which to abort an unfinished multipart upload whose window (UPLOAD_MULTIPART_EXPIRES_SECONDS, from
 * its start to Complete; sign-upload signs no part or Complete after it) is `windowSeconds`: the window rounded up
 * to whole days (the unit of `Days`), plus one day of margin, so that however OSS rounds a part's age an upload is
 * never aborted inside its window (default window: 1 day → 2 days; the most, 7 days → 8).
 */
export const abortDaysFor = (windowSeconds: number) => Math.ceil(windowSeconds / 86_400) + 1;

export interface AbortSpec {
  prefixes: string[];
  /** The Days to set. */
  days: number;
  /** A rule aborting sooner could abort uploads still inside their window. */
  minDays: number;
  /** For messages: the multipart window, in seconds. */
  windowSeconds: number;
}

export interface LifecycleFinding {
  message: string;
  /** Why `--apply` cannot fix it, and what to do instead. */
  blocked?: string;
  /** What `--apply` changes to fix it. */
  change?: string;
}

export interface LifecyclePlan {
  ok: string[];
  findings: LifecycleFinding[];
  /** Every rule to put back, when something missing can be fixed. */
  next?: LifecycleRule[];
}

const under = (prefix: string) => (prefix ? `under ${prefix}` : 'in the whole bucket');
const tooSoon = (days: number | undefined, spec: AbortSpec) =>
  `aborts after ${days ?? '?'} days, too soon for uploads that may take ${spec.windowSeconds} s (at least ${spec.minDays})`;
const overlaps = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);

function blocker(rule: LifecycleRule, prefix: string, spec: AbortSpec): string {
  const why = !prefix.startsWith(rule.prefix)
    ? `covers only ${rule.prefix}`
    : !rule.enabled
      ? 'is disabled'
      : rule.narrowed
        ? 'has a Tag or Filter'
        : rule.abortDays === undefined
          ? 'aborts by date, not by age'
          : tooSoon(rule.abortDays, spec);
  return `rule "${rule.id}" (prefix ${rule.prefix || '(none)'}) ${why}, and OSS refuses overlapping AbortMultipartUpload rules: edit or remove it, then run --apply again`;
}

/** What `current` lacks to abort unfinished multipart uploads under each prefix, and the rules that fix it. */
export function planLifecycle(current: LifecycleRule[] | undefined, spec: AbortSpec): LifecyclePlan {
  let rules = [...(current ?? [])];
  const plan: LifecyclePlan = { ok: [], findings: [] };
  // Shortest first: a rule for `uploads/` then covers `uploads/a/`, where the other order would overlap.
  for (const prefix of [...spec.prefixes].sort((a, b) => a.length - b.length)) {
    const covering = rules.find(
      (r) =>
        r.enabled &&
        !r.narrowed &&
        r.abortDays !== undefined &&
        r.abortDays >= spec.minDays &&
        prefix.startsWith(r.prefix),
    );
    if (covering) {
      plan.ok.push(
        `lifecycle: rule "${covering.id}" aborts unfinished multipart uploads ${under(prefix)} after ${covering.abortDays} days`,
      );
      continue;
    }
    const id = abortRuleId(prefix);
    const ours = rules.find((r) => r.id === id);
    const message = ours
      ? `lifecycle rule "${id}" ${ours.enabled ? tooSoon(ours.abortDays, spec) : 'is disabled'}: it must abort unfinished multipart uploads ${under(prefix)} after ${spec.days} days`
      : `lifecycle rule missing: nothing aborts unfinished multipart uploads ${under(prefix)}; add AbortMultipartUpload after ${spec.days} days`;
    const overlapping = rules.find((r) => r !== ours && r.aborts && overlaps(r.prefix, prefix));
    if (overlapping) {
      plan.findings.push({ message, blocked: blocker(overlapping, prefix, spec) });
      continue;
    }
    const fresh = abortRule(prefix, spec.days);
    rules = ours ? rules.map((r) => (r === ours ? fresh : r)) : [...rules, fresh];
    const change = `lifecycle: ${ours ? `rule "${id}" now aborts` : `added rule "${id}": abort`} unfinished multipart uploads ${under(prefix)} after ${spec.days} days`;
    plan.findings.push({ message, change });
  }
  if (rules.length > MAX_LIFECYCLE_RULES) {
    const blocked = `the bucket has ${current?.length} lifecycle rules, OSS's most: remove one, then run --apply again`;
    plan.findings = plan.findings.map(({ message }) => ({ message, blocked }));
    return plan;
  }
  if (plan.findings.some((f) => f.change)) plan.next = rules;
  return plan;
}
