/**
 * The route an upload was signed for, and the rules of it every later path applies (whatever the declaration
 * says by then): the tail of a v3 upload token and of a routed multipart grant, one codec for both.
 *
 *   rules = lp(route) ‖ minSize(u48) ‖ maxWidth(u32) ‖ maxHeight(u32) ‖ replace(u8: 0 none, 1 delete, 2 keep)
 *
 * A rule a route does not set is written as 0 and read back as absent, so the claims say only what was bound.
 */
import { checkedLength, type ErrorType, type PayloadReader, writeLengthPrefixed } from './mac-codec';

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

/** Rules checked for writing: every value in range, the name's UTF-8 length known. */
export interface CheckedRules {
  route: string;
  routeBytes: number;
  minSize: number;
  maxWidth: number;
  maxHeight: number;
  replace: number;
  /** What the rules take in a payload. */
  bytes: number;
}

/** Checks `rules.route` (which must be set) and the rules; throws `fail` for values out of range. */
export function checkRouteRules(rules: RouteRules, fail: ErrorType): CheckedRules {
  const route = rules.route ?? '';
  const routeBytes = checkedLength(route, MAX_ROUTE_BYTES, 'route', fail);
  if (routeBytes === 0) throw new fail('route must not be empty');
  const replace = REPLACE.indexOf(rules.replace ?? '');
  if (replace < 0) throw new fail('replace must be delete or keep');
  return {
    route,
    routeBytes,
    minSize: whole(rules.minSize, MAX_U48, 'minSize', fail),
    maxWidth: whole(rules.image?.maxWidth, MAX_U32, 'image.maxWidth', fail),
    maxHeight: whole(rules.image?.maxHeight, MAX_U32, 'image.maxHeight', fail),
    replace,
    bytes: routeRulesBytes(routeBytes),
  };
}

/** Writes checked rules at `at` (the token writes them straight into its MAC input); returns the offset after. */
export function writeRouteRules(out: Buffer, at: number, rules: CheckedRules): number {
  let next = writeLengthPrefixed(out, at, rules.route, rules.routeBytes, false);
  next = out.writeUIntBE(rules.minSize, next, 6);
  next = out.writeUInt32BE(rules.maxHeight, out.writeUInt32BE(rules.maxWidth, next));
  return out.writeUInt8(rules.replace, next);
}

/** The encoded rules of `rules.route` (which must be set); throws `fail` for values out of range. */
export function encodeRouteRules(rules: RouteRules, fail: ErrorType): Buffer {
  const checked = checkRouteRules(rules, fail);
  const out = Buffer.allocUnsafe(checked.bytes);
  writeRouteRules(out, 0, checked);
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
