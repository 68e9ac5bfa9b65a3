/**
 * check:deploy's settings check: each function's variables as `s preview` renders them from an env file, loaded
 * by the function's own schema. A setting sign-upload (or another function) refuses at its cold start fails the
 * check offline, one line per problem; .env.example's placeholder secrets are only warnings.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fc3Spec } from '../../../scripts/check-deploy/fc3-schema';
import { functionConfigsLoad, loadFunctionConfigs } from '../../../scripts/check-deploy/function-configs';
import { preview, readEnvFile } from '../../../scripts/check-deploy/render';

const dir = mkdtempSync(join(tmpdir(), 'ouc-function-configs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let sample: Fc3Spec;
beforeAll(() => {
  const result = preview(readEnvFile('.env.example'));
  if (!result.ok) throw new Error(result.output);
  sample = result.spec as Fc3Spec;
}, 120_000);

/** The rendered sample with `fn`'s variables changed. */
function withVariables(fn: keyof Fc3Spec['resources'], changes: Record<string, string>): Fc3Spec {
  const spec = structuredClone(sample);
  Object.assign(spec.resources[fn].props.environmentVariables, changes);
  return spec;
}

describe('check:deploy: each function loads its rendered settings', () => {
  it('passes the sample, warning once per placeholder secret', () => {
    const result = functionConfigsLoad(sample, '.env.example');
    expect(result.statement).toMatch(/^each function loads its settings as rendered from \.env\.example/);
    expect(result.warnings).toEqual([
      expect.stringMatching(/^AUTH_JWT_SECRET is still \.env\.example's placeholder: set a random secret/),
      expect.stringMatching(/^CALLBACK_TOKEN_SECRET is still \.env\.example's placeholder/),
    ]);
  });

  it.each([
    [
      'an empty AUTH_JWT_SECRET',
      { AUTH_JWT_SECRET: '' },
      /^sign-upload AUTH_JWT_SECRET: AUTH_JWT_SECRET or AUTH_JWKS_URL is required/,
    ],
    [
      'a short AUTH_JWT_SECRET',
      { AUTH_JWT_SECRET: 'short' },
      /^sign-upload AUTH_JWT_SECRET: must be at least 32 characters/,
    ],
    [
      'UPLOAD_ALLOWED_TYPES that is not a type',
      { UPLOAD_ALLOWED_TYPES: 'not a type' },
      /^sign-upload UPLOAD_ALLOWED_TYPES\.0: must be type\/subtype/,
    ],
  ])('refuses %s as sign-upload would at start', (_, changes, line) => {
    expect(loadFunctionConfigs(withVariables('sign-upload', changes)).problems).toEqual([expect.stringMatching(line)]);
  });

  it('names every problem of every function, one line each', () => {
    const spec = withVariables('sign-upload', { AUTH_JWT_SECRET: 'short', UPLOAD_ALLOWED_TYPES: 'not a type' });
    Object.assign(spec.resources['upload-event'].props.environmentVariables, { HOOK_TIMEOUT_MS: '5' });
    Object.assign(spec.resources['upload-callback'].props.environmentVariables, { OSS_TIMEOUT_MS: 'soon' });
    const { problems } = loadFunctionConfigs(spec);
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'sign-upload AUTH_JWT_SECRET',
      'sign-upload UPLOAD_ALLOWED_TYPES.0',
      'upload-callback OSS_TIMEOUT_MS',
      'upload-event HOOK_TIMEOUT_MS',
    ]);
    expect(() => functionConfigsLoad(spec, '.env')).toThrow(/^sign-upload AUTH_JWT_SECRET: .+\nsign-upload UPLOAD/);
  });

  it('fails the command in one stderr line per problem, no stack trace', () => {
    const file = join(dir, '.env');
    const lines = readFileSync('.env.example', 'utf8')
      .split('\n')
      .map((l) => (l.startsWith('AUTH_JWT_SECRET=') ? 'AUTH_JWT_SECRET=short' : l))
      .map((l) => (l.startsWith('UPLOAD_ALLOWED_TYPES=') ? 'UPLOAD_ALLOWED_TYPES=not a type' : l));
    writeFileSync(file, lines.join('\n'));
    const run = spawnSync(
      process.execPath,
      ['--', 'scripts/run-ts.mjs', 'scripts/check-deploy.ts', '--env-file', file],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        timeout: 120_000,
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^check failed: sign-upload AUTH_JWT_SECRET: must be at least 32 characters/),
      expect.stringMatching(/^check failed: sign-upload UPLOAD_ALLOWED_TYPES\.0: must be type\/subtype/),
    ]);
    expect(run.stdout).not.toMatch(/^ok - the three bundles/m);
  }, 120_000);
});
