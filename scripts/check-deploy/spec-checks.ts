/**
 * What the rendered s.yaml must say, check by check: each returns the statement that held, or throws a
 * CheckFailed naming what to change.
 */
import { loadSignConfig } from '../../functions/sign-upload/config';
import { signRoutes } from '../../functions/sign-upload/routes-config';
import { parseSchedule } from '../../shared/hooks/schedule';
import { projectRoutes } from '../routes-file';
import { CheckFailed } from './bundles';
import type { Fc3Props, Fc3Spec } from './fc3-schema';
import type { Env } from './render';

/** The methods of a function's HTTP trigger. */
const httpMethods = (props: Fc3Props) =>
  JSON.stringify(props.triggers.flatMap((t) => (t.triggerType === 'http' ? [t.triggerConfig.methods] : []))[0]);

function expect(ok: boolean, statement: string, failure: string): string {
  if (!ok) throw new CheckFailed(failure);
  return statement;
}

export const signTakesCallbackUrl = (spec: Fc3Spec) =>
  expect(
    spec.resources['sign-upload'].props.environmentVariables.CALLBACK_BASE_URL ===
      '${resources.upload-callback.output.url.system_url}/callback',
    'sign-upload takes the callback URL from the upload-callback trigger output',
    "sign-upload's CALLBACK_BASE_URL must be ${resources.upload-callback.output.url.system_url}/callback",
  );

export function httpTriggers(spec: Fc3Spec): string {
  const sign = spec.resources['sign-upload'].props;
  const callback = spec.resources['upload-callback'].props;
  expect(
    [sign, callback].every((p) => p.triggers.length === 1 && p.triggers[0]?.triggerType === 'http'),
    '',
    'sign-upload and upload-callback must each have exactly one HTTP trigger',
  );
  expect(httpMethods(sign) === '["POST","OPTIONS"]', '', "sign-upload's HTTP trigger must take POST and OPTIONS");
  expect(httpMethods(callback) === '["POST"]', '', "upload-callback's HTTP trigger must take POST only");
  return 'one HTTP trigger each: sign-upload POST and OPTIONS, upload-callback POST';
}

export function eventTriggers(spec: Fc3Spec, env: Env): string {
  const props = spec.resources['upload-event'].props;
  const oss = props.triggers.filter((t) => t.triggerType === 'oss');
  expect(
    oss.length === 1 &&
      oss[0]?.triggerConfig.events.length === 5 &&
      oss[0].triggerConfig.filter.key.prefix === env.UPLOAD_PREFIX &&
      oss[0].sourceArn.endsWith(`:${env.OSS_BUCKET}`),
    '',
    'upload-event needs one OSS trigger on OSS_BUCKET for the three ObjectCreated and two ObjectRemoved events, filtered to UPLOAD_PREFIX',
  );
  expect(
    props.triggers.some((t) => t.triggerType === 'timer' && t.triggerConfig.enable),
    '',
    'upload-event needs an enabled timer trigger for the sweep',
  );
  expect(
    (props.asyncInvokeConfig?.maxAsyncRetryAttempts ?? 0) > 0 && props.role !== undefined,
    '',
    'upload-event needs async retries and a role that can HeadObject, ListObjects and DeleteObject',
  );
  return 'upload-event has an OSS trigger on the bucket for created and deleted objects under UPLOAD_PREFIX, a timer, async retries and a role';
}

/** HeadObject before recording needs the role's keys (and where the bucket is), unless confirmation is off. */
export function callbackConfirms(spec: Fc3Spec, env: Env): string {
  const props = spec.resources['upload-callback'].props;
  if (props.environmentVariables.CALLBACK_CONFIRM === 'false')
    return 'upload-callback records callbacks unconfirmed (CALLBACK_CONFIRM=false; docs/operations.md "Confirmation" says what that re-opens)';
  expect(
    props.role !== undefined && props.environmentVariables.OSS_REGION === env.OSS_REGION,
    '',
    'upload-callback confirms callbacks with HeadObject: it needs CALLBACK_ROLE_ARN (oss:GetObject) and OSS_REGION',
  );
  return 'upload-callback confirms each callback with HeadObject, with a role of its own, in the bucket region';
}

export const callbackInitializer = (spec: Fc3Spec) =>
  expect(
    spec.resources['upload-callback'].props.instanceLifecycleConfig?.initializer.handler === 'index.initialize',
    "upload-callback's FC initializer is index.initialize (it opens the first database connection)",
    'upload-callback needs instanceLifecycleConfig.initializer.handler: index.initialize',
  );

/**
 * routes.json (when the project has one) as sign-upload will load it with its rendered settings: the schema, the
 * rules across routes, and each route's worst-case callback and key. The callback URL is FC's trigger output at
 * deploy time, so a system URL of the usual length stands in for it (CALLBACK_PUBLIC_URL when set).
 */
export async function routesLoad(spec: Fc3Spec, env: Env, declared?: () => Promise<unknown>): Promise<string> {
  const declaration = await (declared ?? projectRoutes)();
  if (declaration === undefined) return 'no routes.json: sign-upload takes one route, from its UPLOAD_* settings';
  const variables = spec.resources['sign-upload'].props.environmentVariables;
  const standIn = `https://upload-callback-abcdefghij.${env.OSS_REGION ?? 'cn-hangzhou'}.fcapp.run/callback`;
  try {
    const config = loadSignConfig({ ...variables, CALLBACK_BASE_URL: standIn });
    const table = signRoutes(config, declaration);
    const names = table.routes.map((r) => r.name).join(', ');
    return `routes.json: ${names}, each within OSS's callback and key limits with sign-upload's settings`;
  } catch (error) {
    throw new CheckFailed(`routes.json: ${(error as Error).message}`);
  }
}

/** `@every 1m` / `@every 2h` in ms; undefined for a cron expression (its period is not one number). */
const everyMs = (cron: string) => {
  const m = /^@every (\d+)([mh])$/.exec(cron);
  return m ? Number(m[1]) * (m[2] === 'h' ? 3_600_000 : 60_000) : undefined;
};

/**
 * Processing hooks: upload-event's hooks timer (payload `hooks`) runs at least as often as the first retry is
 * due (so a failed attempt is retried on time, and on Lambda-like setups without OSS events every delivery is
 * sent within a period), its runs end within the function's timeout, and both recording functions agree on
 * HOOK_URL (the callback queues what upload-event sends). Its runs share upload-event's instances, so the
 * connection budget already counts them.
 */
export function hooksTimer(spec: Fc3Spec): string {
  const event = spec.resources['upload-event'].props;
  const vars = event.environmentVariables;
  const timer = event.triggers.find((t) => t.triggerType === 'timer' && t.triggerConfig.payload === 'hooks');
  if (timer?.triggerType !== 'timer' || !timer.triggerConfig.enable)
    throw new CheckFailed('upload-event needs an enabled timer trigger with payload hooks (the hooks timer)');
  const schedule = parseSchedule(vars.HOOK_RETRY_SCHEDULE ?? '1m');
  if (typeof schedule === 'string') throw new CheckFailed(`upload-event HOOK_RETRY_SCHEDULE: ${schedule}`);
  const period = everyMs(timer.triggerConfig.cronExpression);
  const first = schedule[0] ?? 0;
  expect(
    period !== undefined && period <= Math.max(first, 60_000),
    '',
    `the hooks timer (HOOKS_SCHEDULE ${timer.triggerConfig.cronExpression}) must be an @every period of at most the first retry delay (${first / 1000} s; FC's shortest is 1m)`,
  );
  const runSeconds = Number(vars.HOOK_BUDGET_SECONDS ?? 50) + Number(vars.HOOK_TIMEOUT_MS ?? 10_000) / 1000;
  expect(
    runSeconds < event.timeout,
    '',
    `upload-event's timeout (${event.timeout} s) must exceed HOOK_BUDGET_SECONDS + HOOK_TIMEOUT_MS (${runSeconds} s)`,
  );
  const callbackUrl = spec.resources['upload-callback'].props.environmentVariables.HOOK_URL ?? '';
  expect(
    callbackUrl === (vars.HOOK_URL ?? ''),
    '',
    'upload-callback and upload-event must be given the same HOOK_URL (the callback queues what upload-event sends)',
  );
  expect(
    !vars.HOOK_URL || (vars.HOOK_SECRETS ?? '') !== '',
    '',
    'HOOK_URL is set: HOOK_SECRETS must list a whsec_ secret to sign with',
  );
  const hooks = vars.HOOK_URL ? `hooks to ${new URL(vars.HOOK_URL).host}` : 'no HOOK_URL (routes.json may name hooks)';
  return `upload-event's hooks timer every ${(period as number) / 1000} s fits the first retry (${first / 1000} s); ${hooks}`;
}
