/**
 * `npm run check:deploy [-- --env-file .env] [--budget-only]`, offline (no cloud): renders s.yaml with
 * `s preview` and the sample .env.example (or your own env file), checks the connection budget
 * (check-deploy/connection-budget.ts; `--budget-only` stops there), validates the fc3 props we use, then has
 * each built bundle answer its platforms' events in a clean `node` process. One line per check; a failure is one
 * line per problem naming what to change (exit 1), never a stack trace; bad usage exits 2. `warn - ` lines (on
 * stdout: the sample must pass) name what is fine to check but not to deploy, such as .env.example's secrets.
 * @see ../shared/spec/function-compute.md §6–§7 (fc3 checks its schema only at debug level)
 */
import {
  bundlesBuilt,
  CheckFailed,
  callbackBundleRefusesUnsigned,
  callbackInitializerNeverFails,
  eventBundleHandlesTriggers,
  signBundleSigns,
} from './check-deploy/bundles';
import { connectionBudget, type RenderedSpec } from './check-deploy/connection-budget';
import { type Fc3Spec, rendered } from './check-deploy/fc3-schema';
import { functionConfigsLoad } from './check-deploy/function-configs';
import { type Env, missingVariable, preview, readEnvFile } from './check-deploy/render';
import {
  callbackConfirms,
  callbackInitializer,
  eventTriggers,
  hooksTimer,
  httpTriggers,
  routesLoad,
  signTakesCallbackUrl,
} from './check-deploy/spec-checks';

/** The variable left unset to check that a missing required one fails the render (it has no default). */
const REQUIRED = 'CALLBACK_TOKEN_SECRET';

function renders(env: Env, envFile: string): unknown {
  const result = preview(env);
  if (result.ok) return result.spec;
  const missing = missingVariable(result.output);
  throw new CheckFailed(
    missing
      ? `s preview: ${missing} is not set in ${envFile} (every variable without a default is required)`
      : `s preview could not render s.yaml with ${envFile}: ${result.output.trim().split('\n')[0] ?? ''}`,
  );
}

/** The env file's variables; a file that cannot be read is one line saying which and what to do. */
function envOf(envFile: string): Env {
  try {
    return readEnvFile(envFile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder' : (code ?? String(error));
    throw new CheckFailed(
      `cannot read ${envFile} (${why}): cp .env.example .env and fill it in, or name it with --env-file`,
    );
  }
}

function budgetFits(spec: unknown): string {
  const budget = connectionBudget(spec as RenderedSpec);
  if (!budget.ok) throw new CheckFailed(budget.message);
  const sum = budget.lines.map((l) => `${l.resource} ${l.instances} × ${l.poolMax}`).join(' + ');
  // upload-event's timers (sweep, hooks) and OSS events share its instances: one reservedConcurrency covers them.
  return `connection budget: ${sum} = ${budget.total} ≤ DB_MAX_CONNECTIONS ${budget.max}`;
}

function propsValidate(spec: unknown, envFile: string): Fc3Spec {
  const parsed = rendered.safeParse(spec);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new CheckFailed(`s.yaml rendered with ${envFile}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`);
}

function requiredVariableFails(env: Env): string {
  const { [REQUIRED]: _left, ...without } = env;
  const result = preview(without);
  if (result.ok || missingVariable(result.output) !== REQUIRED)
    throw new CheckFailed(`s preview rendered s.yaml without ${REQUIRED}: a required variable needs no default`);
  return `s preview refuses to render s.yaml with ${REQUIRED} unset (required variables have no default)`;
}

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--env-file');
  const envFile = at >= 0 ? argv[at + 1] : '.env.example';
  if (!envFile || envFile.startsWith('--')) {
    console.error('usage: npm run check:deploy [-- --env-file <path>] [--budget-only]');
    return 2;
  }
  const env = envOf(envFile);
  const spec = renders(env, envFile);
  console.log(`ok - ${budgetFits(spec)}`);
  if (argv.includes('--budget-only')) return 0;
  const fc3 = propsValidate(spec, envFile);
  const configs = functionConfigsLoad(fc3, envFile);
  const checks: (() => string | Promise<string>)[] = [
    () => `s preview renders s.yaml with ${envFile} and the fc3 properties are within FC's limits`,
    () => configs.statement,
    () => signTakesCallbackUrl(fc3),
    () => httpTriggers(fc3),
    () => eventTriggers(fc3, env),
    () => callbackConfirms(fc3, env),
    () => callbackInitializer(fc3),
    () => hooksTimer(fc3),
    () => routesLoad(fc3, env),
    () => requiredVariableFails(env),
    bundlesBuilt,
    signBundleSigns,
    callbackBundleRefusesUnsigned,
    callbackInitializerNeverFails,
    eventBundleHandlesTriggers,
  ];
  for (const check of checks) console.log(`ok - ${await check()}`);
  for (const warning of configs.warnings) console.log(`warn - ${warning}`);
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // A named check's own words (a line per problem), or one line on what broke in the checker (never a stack trace).
  const lines =
    error instanceof CheckFailed
      ? error.message.split('\n')
      : [`the checker itself failed: ${String(error).split('\n')[0]}`];
  for (const line of lines) console.error(`check failed: ${line}`);
  process.exitCode = 1;
}
