/**
 * What a route requires of the client's JWT (`requires`): every listed scope, and claims equal to the declared
 * values. `scope` is read as OAuth 2.0 writes it (one space-separated string, RFC 8693 §4.2) or as a list of
 * strings (as `scp` is by some providers: declare the claim you have).
 */
import type { Route } from './table';

/** What the JWT lacks for `route`, as a phrase for the 403's message; undefined when it has everything. */
export function missingForRoute(route: Route, claims: Readonly<Record<string, unknown>>): string | undefined {
  const { requires } = route;
  if (!requires) return undefined;
  if (requires.scope?.length) {
    const granted = scopesOf(claims.scope);
    const missing = requires.scope.filter((s) => !granted.has(s));
    if (missing.length) return `the scope ${missing.join(' ')}`;
  }
  for (const [name, value] of Object.entries(requires.claims ?? {})) {
    if (!Object.hasOwn(claims, name) || claims[name] !== value) return `the claim ${name}`;
  }
  return undefined;
}

function scopesOf(scope: unknown): Set<string> {
  if (typeof scope === 'string') return new Set(scope.split(' ').filter(Boolean));
  if (Array.isArray(scope)) return new Set(scope.filter((s): s is string => typeof s === 'string'));
  return new Set();
}
