/**
 * Which route a request is for, and what a file must be to be signed in it, checked the same way by `POST /`
 * and `/s3/sign` before anything is signed: the route known and allowed to this client, the upload mode one
 * the route takes, the declared size within its bounds, the content type allowed. Each refusal names the
 * route and the limit (in the message, and as facts beside it), so a page can say why before uploading.
 */
import { badRequest, forbidden, HttpError } from '../../shared/errors';
import { missingForRoute, type Route, type RouteTable, typeAllowed, type UploadMode } from '../../shared/routes';

/** The route `name` (or, when none, the default route), if the client's JWT carries what it requires. */
export function chosenRoute(
  routes: RouteTable,
  name: string | undefined,
  claims: Readonly<Record<string, unknown>>,
): Route {
  const pick = routes.pick(name);
  if ('error' in pick) {
    const facts = { routes: pick.names };
    if (pick.error === 'route-required')
      throw new HttpError(400, 'RouteRequired', `name a route: one of ${pick.names.join(', ')}`, { facts });
    throw new HttpError(400, 'UnknownRoute', `route ${JSON.stringify(name)} is not one of ${pick.names.join(', ')}`, {
      facts,
    });
  }
  const missing = missingForRoute(pick.route, claims);
  if (missing) {
    throw new HttpError(403, 'RouteNotAllowed', `route ${pick.route.name} requires ${missing} in your token`, {
      facts: { route: pick.route.name },
    });
  }
  return pick.route;
}

/** The mode the route takes, then the declared size within its bounds, then the type allowed. */
export function checkFile(file: { size: number; contentType: string }, route: Route, mode: UploadMode): void {
  const named = { route: route.name };
  if (!route.uploads.has(mode)) {
    const modes = [...route.uploads];
    throw new HttpError(
      400,
      'UploadModeNotAllowed',
      `route ${route.name} takes ${modes.join(', ')} uploads, not ${mode}`,
      {
        facts: { ...named, uploads: modes },
      },
    );
  }
  const maxBytes = mode === 'multipart' ? route.multipart.maxBytes : route.maxBytes;
  if (file.size > maxBytes) {
    throw new HttpError(413, 'FileTooLarge', `size ${file.size} is over route ${route.name}'s ${maxBytes}-byte limit`, {
      facts: { ...named, maxBytes },
    });
  }
  if (file.size < route.minBytes) {
    const minBytes = route.minBytes;
    throw new HttpError(
      400,
      'FileTooSmall',
      `size ${file.size} is under route ${route.name}'s ${minBytes}-byte minimum`,
      {
        facts: { ...named, minBytes },
      },
    );
  }
  if (!typeAllowed(file.contentType, route.types)) {
    const types = route.types;
    throw new HttpError(
      403,
      'ContentTypeNotAllowed',
      `content type ${file.contentType} is not allowed for route ${route.name} (it takes ${types.join(', ')})`,
      { facts: { ...named, types } },
    );
  }
}

/** Keeps to `[A-Za-z0-9._:-]`: the characters whose form encoding by OSS is known (oss-callback.md §5). */
const VAR_VALUE = /^[A-Za-z0-9._:-]*$/;

/** The variables a client sent, each one the route allows and within its length, as `x:name` → value. */
export function customVars(vars: Record<string, string>, route: Route): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(vars)) {
    const name = rawName.replace(/^x:/, '');
    const maxLength = route.vars.get(name);
    if (maxLength === undefined)
      throw forbidden('VarNotAllowed', `variable ${JSON.stringify(rawName)} is not allowed for route ${route.name}`);
    if (value.length > maxLength)
      throw badRequest('InvalidVars', `variable ${name} is longer than ${maxLength} characters`);
    if (!VAR_VALUE.test(value)) throw badRequest('InvalidVars', `variable ${name} may hold only A-Z a-z 0-9 . _ : -`);
    out[`x:${name}`] = value;
  }
  return out;
}
