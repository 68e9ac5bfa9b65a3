/**
 * The routes declaration the build bundled (scripts/build.mjs defines `__UPLOAD_ROUTES__` from `routes.json`
 * at the project root, after checking it). Undefined without one, and when the code runs from source (tests
 * and `npm start` pass their declaration in).
 */
declare const __UPLOAD_ROUTES__: unknown;

export const bundledRoutes: unknown = typeof __UPLOAD_ROUTES__ === 'undefined' ? undefined : __UPLOAD_ROUTES__;
