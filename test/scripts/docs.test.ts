/**
 * The docs say one thing, and say what the code does: links and anchors resolve, nothing cites a document that
 * is not in the repository, the RAM policies and CORS rule quoted are the ones the code generates, the required
 * deploy variables are the ones s.yaml requires, and npm start's relation to `.env` is stated as it is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnvFile } from '../../scripts/check-deploy/render';
import { UPLOAD_CORS_RULE } from '../../shared/oss/bucket-cors';
import { type FunctionName, functionPolicies } from '../../shared/oss/ram-policy';

const read = (path: string) => readFileSync(path, 'utf8');
const pages = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/**
 * Pages other work writes (generated references, hooks): a link to one is allowed only while the page does not
 * exist yet; once it does, its anchors are checked like any other.
 */
const WRITTEN_ELSEWHERE = ['docs/configuration.md', 'docs/http-api.md', 'docs/records.md', 'docs/hooks.md'];

/** GitHub's heading anchors: lower case, punctuation dropped (but `-` and `_`), spaces to `-`. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');

const anchorsOf = (markdown: string) =>
  new Set(
    markdown
      .replace(/^```[\s\S]*?^```$/gm, '')
      .split('\n')
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) => slug(l.replace(/^#+ /, ''))),
  );

describe('README and docs/', () => {
  it('README is a first screen: 150 to 200 lines', () => {
    const lines = read('README.md').split('\n').length;
    expect(lines).toBeGreaterThanOrEqual(150);
    expect(lines).toBeLessThanOrEqual(201);
  });

  it('every relative link names a file of the repository, and every #anchor a heading of it', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = read(page).replace(/^```[\s\S]*?^```$/gm, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^[a-z]+:/.test(target)) continue;
        const [file = '', anchor] = target.split('#');
        const path = file ? normalize(join(dirname(page), file)) : page;
        if (!existsSync(path)) {
          if (!WRITTEN_ELSEWHERE.includes(path)) broken.push(`${page}: ${target}`);
          continue;
        }
        if (anchor && path.endsWith('.md') && !anchorsOf(read(path)).has(anchor)) broken.push(`${page}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('nothing cites style.md, which is not in the repository', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
      .split('\n')
      .filter(
        (f) => f && existsSync(f) && /\.(ts|js|mjs|cjs|md|yaml|json|sql)$/.test(f) && f !== 'test/scripts/docs.test.ts',
      );
    const citing = files.filter((f) => read(f).includes('style.md'));
    expect(citing).toEqual([]);
  });
});

describe('one list of RAM permissions per function', () => {
  const sample = readEnvFile('.env.example');
  const policies = functionPolicies(sample.OSS_BUCKET ?? '', [sample.UPLOAD_PREFIX ?? '']);
  const roles: Record<FunctionName, string> = {
    'sign-upload': 'SIGN_UPLOAD_ROLE_ARN',
    'upload-callback': 'CALLBACK_ROLE_ARN',
    'upload-event': 'UPLOAD_EVENT_ROLE_ARN',
  };
  const actions = (name: FunctionName) => policies[name].Statement.flatMap((s) => s.Action).sort();
  /** The `oss:` actions named in the comment lines right above `line` (the first line matching it). */
  const commented = (text: string, line: RegExp) => {
    const lines = text.split('\n');
    const at = lines.findIndex((l) => line.test(l));
    const comment: string[] = [];
    for (let i = at - 1; i >= 0 && /^\s*#/.test(lines[i] ?? ''); i--) comment.unshift(lines[i] ?? '');
    const named = comment.join('\n').match(/oss:[A-Za-z]+/g) ?? [];
    return [...new Set(named.filter((a) => a !== 'oss:Prefix'))].sort(); // a condition key, not an action
  };

  it('docs/deploy-fc.md quotes the policies npm run bucket -- --policies prints for .env.example', () => {
    const doc = read('docs/deploy-fc.md');
    const quoted = [...doc.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m) => JSON.parse(m[1] ?? ''));
    expect(quoted).toEqual([policies['sign-upload'], policies['upload-callback'], policies['upload-event']]);
  });

  it.each(Object.entries(roles) as [FunctionName, string][])(
    '%s: .env.example and s.yaml name the same actions as the generated policy',
    (name, role) => {
      expect(commented(read('.env.example'), new RegExp(`^${role}=`))).toEqual(actions(name));
      expect(commented(read('s.yaml'), new RegExp(`role: \\$\\{env\\('${role}'\\)\\}`))).toEqual(actions(name));
    },
  );
});

describe('one CORS rule', () => {
  it('the docs state the rule the bucket command sets: its methods, headers and exposed headers', () => {
    const doc = read('docs/deploy-fc.md').replace(/\s+/g, ' ');
    const list = (items: readonly string[]) => items.map((i) => `\`${i}\``).join(', ');
    expect(doc).toContain(`exposed headers ${list(UPLOAD_CORS_RULE.expose)}`);
    expect(doc).toContain(`methods ${list(UPLOAD_CORS_RULE.methods)}`);
    expect(doc).toContain(`allowed headers ${list(UPLOAD_CORS_RULE.headers)}`);
  });

  it('no page states a rule exposing ETag without x-oss-request-id', () => {
    for (const page of [...pages, '.env.example', 's.yaml']) {
      const sentences = read(page)
        .replace(/\n/g, ' ')
        .split(/(?<=[.;:])\s/);
      for (const s of sentences.filter((s) => /expose[sd]?( headers?)? `ETag`/i.test(s)))
        expect(s, page).toContain('x-oss-request-id');
    }
  });
});

describe('deploy variables', () => {
  const required = [...new Set([...read('s.yaml').matchAll(/env\('([A-Z0-9_]+)'\)/g)].map((m) => m[1] ?? ''))].sort();

  it('docs/deploy-fc.md lists exactly the variables s.yaml requires, and .env.example sets each', () => {
    const doc = read('docs/deploy-fc.md');
    const listed = doc.slice(doc.indexOf('are required:'), doc.indexOf('A missing'));
    expect([...listed.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]).sort()).toEqual(required);
    const sample = readEnvFile('.env.example');
    for (const name of required) expect(sample[name], name).toBeTruthy();
  });

  it('npm start does not read .env, and .env.example says so', () => {
    const local = readdirSync('local').filter((f) => f.endsWith('.ts'));
    for (const file of local) expect(read(`local/${file}`)).not.toMatch(/loadEnvFile|dotenv|['"]\.env['"]/);
    expect(read('.env.example')).toMatch(/`npm start` does not read it/);
    expect(read('README.md')).toMatch(/`npm start` does not read `\.env`/);
  });
});
