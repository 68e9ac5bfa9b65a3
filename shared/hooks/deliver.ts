/**
 * The delivering worker: claim what is due (a lease per row), POST each event signed per Standard Webhooks,
 * settle each attempt. Any 2xx delivers; any other status, a timeout or a connection failure is retried on the
 * schedule, then failed. A worker that dies (or loses the database) mid-attempt leaves its rows leased: they are
 * claimed again once the lease runs out, which is longer than an attempt can last, so no event is ever sent
 * twice at once, and none is lost. Redirects are not followed (a hook must answer itself; a redirect could
 * lead to a private address).
 */
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { ClaimedDelivery, HookOutbox } from '../records/types';
import { hookEvent, webhookId } from './payload';
import { retryDelay } from './schedule';
import { webhookHeaders } from './sign';

export interface DeliveryDeps {
  outbox: HookOutbox;
  /** HMAC keys (secretKey of each HOOK_SECRETS entry). */
  keys: readonly Buffer[];
  timeoutMs: number;
  leaseMs: number;
  schedule: readonly number[];
  batch: number;
  clock: Clock;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
  random?: () => number;
}

export interface DeliverySummary {
  claimed: number;
  delivered: number;
  retrying: number;
  failed: number;
  /** Attempts whose outcome could not be written (the database went away): their lease brings them back. */
  unsettled: number;
}

type Attempt = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** One POST, within the timeout (the whole exchange, body included). */
async function post(deps: DeliveryDeps, delivery: ClaimedDelivery): Promise<Attempt> {
  const body = JSON.stringify(hookEvent(delivery.type, delivery.queuedAt, delivery.record));
  const headers = webhookHeaders(
    { id: webhookId(delivery.uploadId, delivery.type), body },
    deps.keys,
    deps.clock.now(),
  );
  try {
    const res = await (deps.fetch ?? fetch)(delivery.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'oss-upload-callback-hooks', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
    // Read (and drop) the answer within the same limit: the connection is free for the next attempt.
    await res.arrayBuffer();
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, status: res.status, error: `answered ${res.status}` };
  } catch (error) {
    const name = (error as Error).name;
    const reason = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'connection failed';
    return { ok: false, status: null, error: reason };
  }
}

/** Sends one claimed delivery and writes its outcome; never throws. */
async function attempt(deps: DeliveryDeps, delivery: ClaimedDelivery, summary: DeliverySummary): Promise<void> {
  const outcome = await post(deps, delivery);
  const named = {
    uploadId: delivery.uploadId,
    type: delivery.type,
    attempt: delivery.attempt,
    host: hostOf(delivery.url),
  };
  try {
    if (outcome.ok) {
      await deps.outbox.delivered(delivery, outcome.status);
      summary.delivered++;
      deps.logger.info('hook delivered', { ...named, status: outcome.status });
      return;
    }
    const retryInMs = retryDelay(deps.schedule, delivery.attempt, deps.random ?? Math.random);
    await deps.outbox.attemptFailed(delivery, { status: outcome.status, error: outcome.error, retryInMs });
    if (retryInMs === null) summary.failed++;
    else summary.retrying++;
    const line = retryInMs === null ? 'hook failed: retries spent (npm run hooks -- --retry)' : 'hook attempt failed';
    deps.logger.warn(line, { ...named, status: outcome.status, error: outcome.error, retryInMs });
  } catch (error) {
    summary.unsettled++;
    deps.logger.error('hook attempt not settled: the lease brings it back', { ...named, error: String(error) });
  }
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid';
  }
};

/**
 * Claims and sends due deliveries, a batch at a time, until none is due or `budgetMs` has passed (`uploadIds`:
 * only theirs, one batch: the OSS event of those objects). A failed claim (the database down) ends the run.
 */
export async function deliverDue(
  deps: DeliveryDeps,
  options: { uploadIds?: string[]; budgetMs?: number } = {},
): Promise<DeliverySummary> {
  const summary: DeliverySummary = { claimed: 0, delivered: 0, retrying: 0, failed: 0, unsettled: 0 };
  const started = Date.now();
  const budget = options.budgetMs ?? 0;
  do {
    const claimed = await deps.outbox.claim({
      limit: deps.batch,
      leaseMs: deps.leaseMs,
      ...(options.uploadIds ? { uploadIds: options.uploadIds } : {}),
    });
    summary.claimed += claimed.length;
    await Promise.all(claimed.map((d) => attempt(deps, d, summary)));
    if (claimed.length < deps.batch || options.uploadIds) break;
  } while (Date.now() - started < budget);
  return summary;
}
