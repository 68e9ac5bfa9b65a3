/** `npm run bucket -- --check | --apply | --policies`: see scripts/bucket-cli.ts. */
import { runBucket } from './bucket-cli';

process.exitCode = await runBucket(process.argv.slice(2), process.env);
