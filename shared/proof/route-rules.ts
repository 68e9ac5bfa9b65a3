/**
 * The route an upload was signed for, and the rules of it every later path applies (whatever the declaration
 * says by then): the tail of a v3 upload token and of a routed multipart grant, one codec for both.
 *
 *   rules = lp(route) ‖ minSize(u48) ‖ maxWidth(u32) ‖ maxHeight(u32) ‖ replace(u8: 0 none, 1 delete, 2 keep)
 *
 * A rule a route does not set is written as 0 and read back as absent, so the claims say only what was bound.
 */
import { type ErrorType, lengthPrefixed, type PayloadReader } from './mac-codec';

export interface RouteRules {
  /** The route's name (shared/routes): what the record keeps and the hooks are chosen by. */
  route?: string;
  /** The smallest object accepted, bytes (absent: none). */
  minSize?: number;
  /** Largest image width and height in pixels (absent: no limit). */
  image?: { maxWidth?: number; maxHeight?: number };
  /** One current upload per user in the route: a newer one replaces this one, its object deleted or kept. */
  replace?: 'delete' | 'keep';
}

/**
 * The route of an upload whose token or grant names none (signed before routes, or by a deployment without a
 * declaration): the deployment's one route, from its UPLOAD_* settings. Also the records' column default.
 */
export const DEFAULT_ROUTE = 'default';

/** The route an upload's claims name, or the default route. */
export const routeOf = (claims: RouteRules): string => claims.route ?? DEFAULT_ROUTE;

/** A route name's longest UTF-8 form (routes are named `[a-z][a-z0-9-]{0,31}`). */
export const MAX_ROUTE_BYTES = 32;
/** The fixed part after lp(route). */
const FIXED = 6 + 4 + 4 + 1;
const REPLACE = ['', 'delete', 'keep'] as const;
const MAX_U32 = 0xffffffff;
const MAX_U48 = 2 ** 48 - 1;

/** Bytes the rules take for a route name of `routeBytes` UTF-8 bytes. */
export const routeRulesBytes = (routeBytes: number) => 1 + routeBytes + FIXED;

function whole(value: number | undefined, max: number, what: string, fail: ErrorType): number {
  const n = value ?? 0;
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new fail(`${what} must be a whole number 0..${max}`);
  return n;
}

/** The encoded rules of `rules.route` (which must be set); throws `fail` for values out of range. */
export function encodeRouteRules(rules: RouteRules, fail: ErrorType): Buffer {
  const name = lengthPrefixed(rules.route ?? '', MAX_ROUTE_BYTES, 'route', fail);
  if (name.length === 1) throw new fail('route must not be empty');
  const out = Buffer.alloc(name.length + FIXED);
  name.copy(out, 0);
  let at = out.writeUIntBE(whole(rules.minSize, MAX_U48, 'minSize', fail), name.length, 6);
  at = out.writeUInt32BE(whole(rules.image?.maxWidth, MAX_U32, 'image.maxWidth', fail), at);
  at = out.writeUInt32BE(whole(rules.image?.maxHeight, MAX_U32, 'image.maxHeight', fail), at);
  const replace = REPLACE.indexOf(rules.replace ?? '');
  if (replace < 0) throw new fail('replace must be delete or keep');
  out.writeUInt8(replace, at);
  return out;
}

/** The rules at the reader's position, or undefined when they are short or out of range. */
export function readRouteRules(reader: PayloadReader): RouteRules | undefined {
  const route = reader.text();
  const tail = reader.take(FIXED);
  if (!route || !tail) return undefined;
  const replace = REPLACE[tail.readUInt8(14)];
  if (replace === undefined) return undefined;
  const [minSize, maxWidth, maxHeight] = [tail.readUIntBE(0, 6), tail.readUInt32BE(6), tail.readUInt32BE(10)];
  return {
    route,
    ...(minSize ? { minSize } : {}),
    ...(maxWidth || maxHeight
      ? { image: { ...(maxWidth ? { maxWidth } : {}), ...(maxHeight ? { maxHeight } : {}) } }
      : {}),
    ...(replace ? { replace } : {}),
  };
}

/** Only the rule fields of `claims` (a token's or grant's), for copying from one to the other. */
export function routeRulesOf(claims: RouteRules): RouteRules {
  const { route, minSize, image, replace } = claims;
  return {
    ...(route !== undefined ? { route } : {}),
    ...(minSize !== undefined ? { minSize } : {}),
    ...(image !== undefined ? { image } : {}),
    ...(replace !== undefined ? { replace } : {}),
  };
}
