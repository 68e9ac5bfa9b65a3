/**
 * Upload routes: every kind of upload an app takes (avatars, documents, videos…), each with its own limits, key
 * layout and rules, from one declaration (`routes.json`, checked by schema.ts) or, without one, from the
 * UPLOAD_* settings. Pure: no I/O.
 */

export { DEFAULT_ROUTE } from '../proof';
export { bundledRoutes } from './bundled';
export { extensionOf, uploadKey } from './keys';
export { DEFAULT_LAYOUT, type KeyLayout, type KeyParts, keyLayout, layoutProblems } from './layout';
export {
  MAX_EXPIRES_SECONDS,
  MAX_IMAGE_INFO_BYTES,
  MAX_MULTIPART_BYTES,
  MAX_PART_BYTES,
  MAX_SINGLE_UPLOAD_BYTES,
  MIME_PATTERN,
  MIME_TYPE,
  MIME_TYPE_MESSAGE,
  MIN_PART_BYTES,
  typeAllowed,
} from './limits';
export { missingForRoute } from './requires';
export { ROUTE_NAME, type RouteDeclaration, type RoutesDeclaration, routesDeclarationSchema } from './schema';
export {
  isRouteKey,
  keyLayouts,
  parseRoutes,
  type Route,
  type RouteDefaults,
  type RoutePick,
  RoutesError,
  type RouteTable,
  routeTable,
  settingsRoute,
  type UploadMode,
} from './table';
