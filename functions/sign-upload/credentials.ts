/** Moved to shared/credentials.ts: upload-event uses the same chain. */
export { resolveCredentials } from '../../shared/credentials';
