/**
 * Which URL each route's hooks go to: the route's own `hook.url`, else HOOK_URL; none when neither is set.
 * Undefined when no route has a hook: the store then writes records with the plain statement.
 *
 * Reads the declaration as the build (and `check:deploy`) already validated it, without the routes' schema:
 * upload-callback bundles no zod route schema for one field (its cold start).
 */
import { ConfigError } from '../errors';
import { isPrivateHost } from '../oss';
import type { HookUrlOf } from '../records/types';

export interface HookTargetSettings {
  HOOK_URL?: string | undefined;
  HOOK_ALLOW_PRIVATE: boolean;
}

export function hookTargets(declaration: unknown, settings: HookTargetSettings): HookUrlOf | undefined {
  const own = new Map<string, string>();
  if (declaration !== undefined) {
    const routes = (declaration as { routes?: Record<string, { hook?: { url?: unknown } }> }).routes ?? {};
    for (const [name, route] of Object.entries(routes)) {
      if (typeof route.hook?.url === 'string') own.set(name, route.hook.url);
    }
  }
  for (const [name, url] of own) {
    if (!settings.HOOK_ALLOW_PRIVATE && isPrivateHost(new URL(url).hostname))
      throw new ConfigError(
        `Invalid routes declaration: routes.${name}.hook.url: is a private address (HOOK_ALLOW_PRIVATE=true is for local runs only)`,
      );
  }
  const fallback = settings.HOOK_URL;
  if (own.size === 0 && fallback === undefined) return undefined;
  return (route) => own.get(route) ?? fallback;
}
