/** `npm run check:deploy` loads routes.json as sign-upload will, with the settings s.yaml gives it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signEnv } from '../../../local/fixtures/sign';
import type { Fc3Spec } from '../../../scripts/check-deploy/fc3-schema';
import { routesLoad } from '../../../scripts/check-deploy/spec-checks';

const spec = (variables: Record<string, string | undefined>) =>
  ({ resources: { 'sign-upload': { props: { environmentVariables: variables } } } }) as unknown as Fc3Spec;
const demo = JSON.parse(readFileSync('local/routes.json', 'utf8'));

describe('check:deploy: routes.json', () => {
  it('passes a declaration sign-upload loads, naming its routes; says so when there is none', async () => {
    const env = { OSS_REGION: 'cn-hangzhou' };
    expect(await routesLoad(spec(signEnv()), env, async () => demo)).toBe(
      "routes.json: avatar, documents, videos, each within OSS's callback and key limits with sign-upload's settings",
    );
    expect(await routesLoad(spec(signEnv()), env, async () => undefined)).toMatch(/^no routes\.json/);
  });

  it('fails with the declaration’s own lines: a schema problem, or a route over OSS’s limits with these settings', async () => {
    const env = { OSS_REGION: 'cn-hangzhou' };
    const bad = { routes: { avatar: { ...demo.routes.avatar, key: 'avatars/{id}' } } };
    await expect(routesLoad(spec(signEnv()), env, async () => bad)).rejects.toThrow(
      /^routes\.json: Invalid routes declaration:\n {2}routes\.avatar\.key: must contain \{user\}/,
    );
    const long = { routes: { archive: { ...demo.routes.documents, key: `${'f'.repeat(200)}/{user}/{id}-{name}` } } };
    const longPrefix = spec(signEnv({ UPLOAD_PREFIX: `${'p'.repeat(400)}/` }));
    await expect(routesLoad(longPrefix, env, async () => long)).rejects.toThrow(
      /routes\.archive\.key: under UPLOAD_PREFIX a key can reach \d+ bytes, over OSS's 1023/,
    );
  });
});
