/** `npm start`: the local server on PORT (default 9000); PGlite in .local-data unless DATABASE_URL is set. */
import { startLocalServer } from './server';
import { uppyBundle } from './uppy/bundle';

const env = process.env;
// A real bucket when its keys and a public URL for this server (a tunnel) are given; the local OSS otherwise.
const realOss =
  env.OSS_BUCKET && env.OSS_ACCESS_KEY_ID && env.OSS_ACCESS_KEY_SECRET && env.LOCAL_PUBLIC_URL
    ? {
        region: env.OSS_REGION ?? 'cn-hangzhou',
        bucket: env.OSS_BUCKET,
        publicUrl: env.LOCAL_PUBLIC_URL,
        ...(env.OSS_ENDPOINT ? { endpoint: env.OSS_ENDPOINT } : {}),
        credentials: {
          accessKeyId: env.OSS_ACCESS_KEY_ID,
          accessKeySecret: env.OSS_ACCESS_KEY_SECRET,
          ...(env.OSS_SESSION_TOKEN ? { securityToken: env.OSS_SESSION_TOKEN } : {}),
        },
      }
    : undefined;

const local = await startLocalServer({
  port: Number(process.env.PORT ?? 9000),
  ...(realOss ? { realOss } : {}),
  ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
  dataDir: process.env.LOCAL_DATA_DIR ?? '.local-data',
});

console.log(`
  oss-upload-callback, running locally (records: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite in .local-data/'})

  demo page        ${local.url}/
  sign-upload      POST ${local.url}/sign   (Uppy's signRequest: POST ${local.url}/sign/s3/sign)
  upload-callback  POST ${local.url}/callback/<token>
  upload-event     invoked by the local OSS after each stored object (FC-shaped OSS events, 3 retries)
  uploads go to    ${realOss ? `OSS bucket ${realOss.bucket} (${realOss.region}); callbacks via ${realOss.publicUrl}/callback` : `the local OSS, ${local.url}/${local.bucket}/<key>`}
  dev JWT          POST ${local.url}/dev/token  {"sub":"alice"}
  records          GET  ${local.url}/records
  fault injection  POST ${local.url}/dev/faults  {"callback":{"drop":0.5},"event":{"delayMs":3000}}  (or LOCAL_FAULTS)
`);

// Bundle the demo page's Uppy now rather than on the first page load.
uppyBundle().catch((error) => console.error(`demo page bundle failed: ${error}`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    local.close().finally(() => process.exit(0));
  });
}
