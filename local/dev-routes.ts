/**
 * `GET /dev/routes` (local only): the routes sign-upload takes, as the demo pages offer them (a route picker,
 * each route's limits shown before a file is chosen). What sign-upload itself refuses is still its answer: the
 * pages show the refusal it gives before anything is uploaded.
 */
import type { RouteTable } from '../shared/routes';

export function routeSummaries(table: RouteTable) {
  const fallback = table.pick(undefined);
  const defaultName = 'route' in fallback ? fallback.route.name : undefined;
  return table.routes.map((r) => ({
    name: r.name,
    description: r.description ?? null,
    types: r.types,
    /** One PUT or POST; multipart uploads up to multipartMaxBytes. */
    maxBytes: r.maxBytes,
    multipartMaxBytes: r.multipart.maxBytes,
    minBytes: r.minBytes,
    uploads: [...r.uploads],
    partBytes: r.multipart.partBytes,
    vars: Object.fromEntries(r.vars),
    image: r.image ?? null,
    replace: r.replace ?? null,
    default: r.name === defaultName,
  }));
}
