/**
 * The parts of the architecture a dependency rule cannot see (the import rules themselves are checked by
 * dependency-cruiser, `npm run deps`): shared/ keeps its concerns in folders, with only a handful of truly
 * shared files at its root, and the pure folders read no environment and no clock.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );

describe('the layout', () => {
  it("keeps only the truly shared files loose at shared/'s root", () => {
    const loose = readdirSync('shared', { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      .sort();
    expect(loose).toEqual(['clock.ts', 'config.ts', 'decode.ts', 'errors.ts', 'zod-messages.ts']);
  });

  it('reads no environment, clock or network in the pure folders (shared/oss, shared/proof)', () => {
    for (const file of [...filesUnder('shared/oss'), ...filesUnder('shared/proof')]) {
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect({ file, hits: code.match(/process\.env|Date\.now\(|new Date\(\)|\bfetch\(/g) }).toEqual({
        file,
        hits: null,
      });
    }
  });
});
