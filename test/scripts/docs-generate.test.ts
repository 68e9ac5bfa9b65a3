/** Every generated reference is what its generator makes from the code now: CI fails when one is stale. */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERATED, staleLines, writeGenerated } from '../../scripts/docs-generate';
import { pgliteChild } from '../helpers/child';

/** PGlite's start, the migrations and a bundled child process take seconds, more on a busy machine. */
const SLOW = { timeout: 120_000 };

describe('npm run docs:generate', () => {
  const copies: string[] = [];
  afterAll(async () => {
    for (const dir of copies) await rm(dir, { recursive: true, force: true });
  });
  /** A folder holding a copy of every generated file, at the same paths. */
  async function copyOfGenerated(): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), 'docs-generate-'));
    copies.push(root);
    for (const { file } of GENERATED) {
      await mkdir(dirname(join(root, file)), { recursive: true });
      await copyFile(file, join(root, file));
    }
    return root;
  }

  it('finds every generated file current (else: run npm run docs:generate)', SLOW, async () => {
    expect(await staleLines()).toEqual([]);
  });

  it('runs as npm run docs:generate -- --check: exit 0 and silent on a current tree', SLOW, () => {
    const child = pgliteChild();
    const args = [...child.nodeArgs, 'scripts/run-ts.mjs', 'scripts/docs-generate.ts', '--check'];
    const out = execFileSync(process.execPath, args, {
      env: { ...process.env, ...child.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toBe('');
  });

  it('names each stale file on a line of its own, and rewrites only the generated parts', SLOW, async () => {
    const root = await copyOfGenerated();
    const config = join(root, 'docs/configuration.md');
    const page = await readFile(config, 'utf8');
    // A hand edit inside the generated table, and one in the hand-written intro (which stays).
    const edited = page.replace('| `OSS_BUCKET`', '| `OSS_BUCKETS`').replace('# Configuration', '# Settings');
    await writeFile(config, edited);
    await writeFile(join(root, 'docs/openapi.json'), '{}\n');

    expect(await staleLines(root)).toEqual([
      'docs/configuration.md is stale: run npm run docs:generate',
      'docs/openapi.json is stale: run npm run docs:generate',
    ]);
    expect(await writeGenerated(root)).toEqual(['docs/configuration.md', 'docs/openapi.json']);
    expect(await staleLines(root)).toEqual([]);
    expect(await readFile(config, 'utf8')).toBe(page.replace('# Configuration', '# Settings'));
  });

  it('refuses a page whose generated block has lost its markers', SLOW, async () => {
    const root = await copyOfGenerated();
    await writeFile(join(root, 'docs/records.md'), '# Records\n');
    await expect(staleLines(root)).rejects.toThrow(/docs\/records\.md has no <!-- columns: .* markers/);
  });
});
