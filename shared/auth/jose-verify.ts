/**
 * The parts of jose auth.ts uses, in a module of their own: auth.ts imports it dynamically, so a bundle
 * carries only these (tree-shaken) and evaluates them only when a token needs jose.
 */
export { createRemoteJWKSet, errors, jwtVerify } from 'jose';
