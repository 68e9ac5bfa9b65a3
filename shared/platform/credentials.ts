/**
 * Which keys the functions use with OSS (sign-upload signs uploads; upload-event reads, lists and deletes), in
 * order: FC's per-request STS credentials from the function's role (`context.credentials`, `{}` without a role),
 * then OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET / OSS_SESSION_TOKEN, then the role variables FC sets at
 * instance start (ALIBABA_CLOUD_*).
 * @see ../../shared/spec/function-compute.md §4
 */
import type { Env } from '../config';
import { ConfigError } from '../errors';
import type { OssCredentials } from '../oss';
import type { PlatformCredentials } from '.';

function complete(id?: string, secret?: string, token?: string): OssCredentials | undefined {
  if (!id || !secret) return undefined;
  return token
    ? { accessKeyId: id, accessKeySecret: secret, securityToken: token }
    : { accessKeyId: id, accessKeySecret: secret };
}

export function resolveCredentials(fromContext: PlatformCredentials | undefined, env: Env): OssCredentials {
  const creds =
    complete(fromContext?.accessKeyId, fromContext?.accessKeySecret, fromContext?.securityToken) ??
    complete(env.OSS_ACCESS_KEY_ID, env.OSS_ACCESS_KEY_SECRET, env.OSS_SESSION_TOKEN) ??
    complete(env.ALIBABA_CLOUD_ACCESS_KEY_ID, env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, env.ALIBABA_CLOUD_SECURITY_TOKEN);
  if (!creds) {
    throw new ConfigError(
      'No OSS credentials: give the function a role (FC context.credentials) or set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET',
    );
  }
  return creds;
}
