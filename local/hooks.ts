/**
 * Processing hooks in the local run: the signing secret (derived from the data folder's token secret, so it
 * lasts as long as the keys), the routes declaration with its receiver URL pointed at this server, and the hooks'
 * timer (upload-event invoked with FC's timer event, payload `hooks`, as the deployed timer does).
 */
import { createHmac } from 'node:crypto';
import { hookTargets } from '../shared/hooks/targets';
import type { Logger } from '../shared/log';
import type { HookUrlOf } from '../shared/records/types';
import { type SweepTimer, serialQueue, startSweepTimer } from './timer';

/** A `whsec_` secret of this data folder's (never printed; the receiver verifies with it). */
export const localHookSecret = (tokenSecret: string) =>
  `whsec_${createHmac('sha256', tokenSecret).update('local hook secret').digest('base64')}`;

/** The receiver as routes.json names it: this server's /dev/hooks on the default port. */
const DECLARED_RECEIVER = /^http:\/\/(127\.0\.0\.1|localhost):9000(\/dev\/hooks(?:[/?#].*)?)$/;

/**
 * The declaration with a hook at `http://127.0.0.1:9000/dev/hooks` (local/routes.json's) pointed at this
 * server, whatever port it listens on; every other URL as declared.
 */
export function withLocalReceiver(declaration: unknown, url: string): unknown {
  const routes = (declaration as { routes?: Record<string, { hook?: { url: string } }> } | undefined)?.routes;
  if (!routes) return declaration;
  const rewritten = Object.fromEntries(
    Object.entries(routes).map(([name, route]) => {
      const m = route.hook ? DECLARED_RECEIVER.exec(route.hook.url) : null;
      return [name, m ? { ...route, hook: { url: `${url}${m[2]}` } } : route];
    }),
  );
  return { ...(declaration as object), routes: rewritten };
}

/** Each route's hook URL in the local run (private addresses allowed: the receiver is on loopback). */
export const localHookUrl = (declaration: unknown, defaultUrl: string | undefined): HookUrlOf | undefined =>
  hookTargets(declaration, { HOOK_URL: defaultUrl, HOOK_ALLOW_PRIVATE: true });

/** upload-event's hooks timer every `everyMs`: one run at a time; a failed run is logged, the next comes. */
export function startHooksTimer(options: {
  everyMs: number;
  invoke: (event: Buffer) => Promise<unknown>;
  logger: Logger;
}): SweepTimer {
  return startSweepTimer({ ...options, queue: serialQueue(), payload: 'hooks' });
}
