/**
 * The routes a deployment takes, from its declaration (schema.ts) and its UPLOAD_* settings: every field a
 * route leaves out takes the setting. Without a declaration the settings form the one route `default`, whose
 * keys and tokens are exactly those of every version before routes, so upgrading changes nothing that is
 * running (docs/routes.md "Upgrading to routes").
 *
 * Read three ways: sign-upload picks a route per request (its limits, layout, rules); the event path and the
 * sweep know every layout a key of ours can have (keyLayouts), the only keys they ever delete or walk.
 */
import type * as z from 'zod/mini';
import { ConfigError } from '../errors';
import { DEFAULT_ROUTE } from '../proof';
import { DEFAULT_LAYOUT, type KeyLayout, keyLayout } from './layout';
import { MAX_SINGLE_UPLOAD_BYTES } from './limits';
import { type RouteDeclaration, type RoutesDeclaration, routesDeclarationSchema } from './schema';

export type UploadMode = 'put' | 'post' | 'multipart';

export interface Route {
  name: string;
  /** What the route is for (for people). */
  description?: string;
  /** Allowed content types, `type/subtype` patterns. */
  types: readonly string[];
  /** The largest object one PUT or POST may store (at most OSS's 5 GiB). */
  maxBytes: number;
  /** The smallest object, bytes (0: none). */
  minBytes: number;
  layout: KeyLayout;
  uploads: ReadonlySet<UploadMode>;
  multipart: { maxBytes: number; partBytes: number; expiresSeconds: number };
  expiresSeconds: number;
  /** The custom variables a client may send (names without `x:`) and each one's longest value. */
  vars: ReadonlyMap<string, number>;
  replace?: 'delete' | 'keep';
  requires?: RouteDeclaration['requires'];
  image?: { maxWidth?: number; maxHeight?: number };
  hook?: { url: string };
  /**
   * Whether tokens and grants carry the route (v3): every declared route. The settings' own route of a
   * deployment without a declaration is carried as before (v2), so its uploads are those of earlier versions.
   */
  bound: boolean;
}

/** The UPLOAD_* settings a route falls back to (sign-upload's configuration has them all). */
export interface RouteDefaults {
  UPLOAD_MAX_BYTES: number;
  UPLOAD_ALLOWED_TYPES: string[];
  UPLOAD_EXPIRES_SECONDS: number;
  UPLOAD_VARS: string[];
  UPLOAD_VAR_MAX_LENGTH: number;
  UPLOAD_MULTIPART_MAX_BYTES: number;
  UPLOAD_MULTIPART_PART_BYTES: number;
  UPLOAD_MULTIPART_EXPIRES_SECONDS: number;
}

export type RoutePick = { route: Route } | { error: 'unknown-route' | 'route-required'; names: string[] };

export interface RouteTable {
  /** Whether a declaration made the routes (else: the one route `default`, from the settings). */
  declared: boolean;
  routes: readonly Route[];
  /** The route a request names, or the default route when it names none. */
  pick(name: string | undefined): RoutePick;
}

const ALL_MODES: readonly UploadMode[] = ['put', 'post', 'multipart'];

/** A declaration that fails its schema or a rule across routes: one line per problem, each naming its field. */
export class RoutesError extends ConfigError {
  constructor(readonly problems: string[]) {
    super(`Invalid routes declaration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

function issueLine(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys')
    return `${path || '(top level)'}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  // A record's key (a route's or variable's name): zod says "Invalid key"; its own check says what is wrong.
  if (issue.code === 'invalid_key') return `${path}: ${issue.issues[0]?.message ?? issue.message}`;
  return `${path || '(top level)'}: ${issue.message}`;
}

/** Problems across routes, which no route's own schema sees. */
function crossRouteProblems(declaration: RoutesDeclaration): string[] {
  const problems: string[] = [];
  const entries = Object.entries(declaration.routes);
  if (entries.length === 0) problems.push('routes: must declare at least one route');
  const defaults = entries.filter(([, r]) => r.default).map(([name]) => name);
  if (defaults.length > 1) problems.push(`routes: ${defaults.join(', ')} are marked default; at most one route may be`);
  const folders = entries.map(([name, r]) => ({ name, folder: keyLayout(r.key).folder }));
  for (const a of folders) {
    // Each route in a folder of its own: a user folder of one route can then never be a path in another's.
    if (folders.length > 1 && a.folder === '')
      problems.push(
        `routes.${a.name}.key: must begin with a folder of its own (e.g. ${a.name}/{user}/…) when several routes are declared`,
      );
    for (const b of folders) {
      if (a !== b && a.folder !== '' && b.folder.startsWith(a.folder) && (a.folder !== b.folder || a.name < b.name))
        problems.push(`routes.${b.name}.key: its folder ${b.folder} is inside route ${a.name}'s folder ${a.folder}`);
    }
  }
  return problems;
}

/** The declaration checked: its schema, then the rules across routes; throws RoutesError with every problem. */
export function parseRoutes(value: unknown): RoutesDeclaration {
  const parsed = routesDeclarationSchema.safeParse(value, { jitless: true });
  if (!parsed.success) throw new RoutesError(parsed.error.issues.map(issueLine));
  const problems = crossRouteProblems(parsed.data);
  if (problems.length) throw new RoutesError(problems);
  return parsed.data;
}

function declaredRoute(name: string, r: RouteDeclaration, d: RouteDefaults): Route {
  const uploads = new Set(r.uploads ?? ALL_MODES);
  return {
    name,
    ...(r.description ? { description: r.description } : {}),
    types: r.types,
    maxBytes: Math.min(r.maxBytes, MAX_SINGLE_UPLOAD_BYTES),
    minBytes: r.minBytes ?? 0,
    layout: keyLayout(r.key),
    uploads,
    multipart: {
      maxBytes: r.maxBytes,
      partBytes: r.multipart?.partBytes ?? d.UPLOAD_MULTIPART_PART_BYTES,
      expiresSeconds: r.multipart?.expiresSeconds ?? d.UPLOAD_MULTIPART_EXPIRES_SECONDS,
    },
    expiresSeconds: r.expiresSeconds ?? d.UPLOAD_EXPIRES_SECONDS,
    vars: new Map(Object.entries(r.vars ?? {})),
    ...(r.replace ? { replace: r.replace } : {}),
    ...(r.requires ? { requires: r.requires } : {}),
    ...(r.image ? { image: r.image } : {}),
    ...(r.hook ? { hook: r.hook } : {}),
    bound: true,
  };
}

/** The one route of a deployment without a declaration: its UPLOAD_* settings, its keys as before routes. */
export function settingsRoute(d: RouteDefaults): Route {
  return {
    name: DEFAULT_ROUTE,
    types: d.UPLOAD_ALLOWED_TYPES,
    maxBytes: d.UPLOAD_MAX_BYTES,
    minBytes: 0,
    layout: keyLayout(DEFAULT_LAYOUT),
    uploads: new Set(ALL_MODES),
    multipart: {
      maxBytes: d.UPLOAD_MULTIPART_MAX_BYTES,
      partBytes: d.UPLOAD_MULTIPART_PART_BYTES,
      expiresSeconds: d.UPLOAD_MULTIPART_EXPIRES_SECONDS,
    },
    expiresSeconds: d.UPLOAD_EXPIRES_SECONDS,
    vars: new Map(d.UPLOAD_VARS.map((name) => [name, d.UPLOAD_VAR_MAX_LENGTH])),
    bound: false,
  };
}

/** The routes of `declaration` (undefined: none declared), their gaps filled from `defaults`. */
export function routeTable(declaration: unknown, defaults: RouteDefaults): RouteTable {
  if (declaration === undefined) {
    const only = settingsRoute(defaults);
    return {
      declared: false,
      routes: [only],
      pick: (name) => (name === undefined || name === only.name ? { route: only } : unknownRoute([only.name])),
    };
  }
  const parsed = parseRoutes(declaration);
  const routes = Object.entries(parsed.routes).map(([name, r]) => declaredRoute(name, r, defaults));
  const byName = new Map(routes.map((r) => [r.name, r]));
  const names = routes.map((r) => r.name);
  const fallback = routes.find((r) => parsed.routes[r.name]?.default);
  return {
    declared: true,
    routes,
    pick(name) {
      if (name === undefined) return fallback ? { route: fallback } : { error: 'route-required', names };
      const route = byName.get(name);
      return route ? { route } : unknownRoute(names);
    },
  };
}

const unknownRoute = (names: string[]): RoutePick => ({ error: 'unknown-route', names });

/**
 * Every layout a key of ours can have: each declared route's, and the layout of the keys signed before routes
 * (uploads of an earlier version are still ours to record, and to delete when they break their limits).
 */
export function keyLayouts(declaration: unknown): KeyLayout[] {
  const declared = declaration === undefined ? [] : Object.values(parseRoutes(declaration).routes).map((r) => r.key);
  return [...new Set([...declared, DEFAULT_LAYOUT])].map(keyLayout);
}

/** Whether `key` is of a layout of ours under `prefix`: the only keys the event path and the sweep ever delete. */
export const isRouteKey = (layouts: readonly KeyLayout[], prefix: string, key: string) =>
  layouts.some((layout) => layout.matches(prefix, key));
