/** `npm start`: the local server on PORT (default 9000); PGlite in .local-data unless DATABASE_URL is set. */
import { startLocalServer } from './server';

const local = await startLocalServer({
  port: Number(process.env.PORT ?? 9000),
  ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
  dataDir: process.env.LOCAL_DATA_DIR ?? '.local-data',
});

console.log(`
  oss-upload-callback, running locally (records: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite in .local-data/'})

  demo page        ${local.url}/
  sign-upload      POST ${local.url}/sign
  upload-callback  POST ${local.url}/callback/<token>
  local OSS        ${local.url}/${local.bucket}/<key>
  dev JWT          POST ${local.url}/dev/token  {"sub":"alice"}
  records          GET  ${local.url}/records
`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    local.close().finally(() => process.exit(0));
  });
}
