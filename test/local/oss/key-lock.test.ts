/** The per-key serialisation the local OSS's writes and deletes share (PutObject, PostObject, Complete, deletes). */
import { describe, expect, it } from 'vitest';
import { KeyLock } from '../../../local/oss/key-lock';

/** A promise settled from outside, so the test decides when each operation ends (no timers). */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyLock', () => {
  it('runs operations on one key one at a time, in arrival order', async () => {
    const lock = new KeyLock();
    const log: string[] = [];
    const first = gate();
    const a = lock.run('k', async () => {
      log.push('a starts');
      await first.opened;
      log.push('a ends');
    });
    const b = lock.run('k', async () => {
      log.push('b starts');
    });
    await settle();
    expect(log).toEqual(['a starts']);
    first.open();
    await Promise.all([a, b]);
    expect(log).toEqual(['a starts', 'a ends', 'b starts']);
  });

  it('runs operations on other keys alongside', async () => {
    const lock = new KeyLock();
    const held = gate();
    const started: string[] = [];
    const a = lock.run('a', async () => {
      started.push('a');
      await held.opened;
    });
    const b = lock.run('b', async () => {
      started.push('b');
    });
    await b;
    expect(started).toEqual(['a', 'b']);
    held.open();
    await a;
  });

  it('gives each caller its own result or error, and a failure does not stop the next operation', async () => {
    const lock = new KeyLock();
    const failed = lock.run('k', async () => {
      throw new Error('refused');
    });
    const next = lock.run('k', async () => 42);
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe(42);
  });

  it('forgets a key once nothing is queued on it', async () => {
    const lock = new KeyLock();
    await Promise.all(Array.from({ length: 50 }, (_, i) => lock.run(`key-${i % 5}`, async () => i)));
    await settle();
    expect(lock.busyKeys).toBe(0);
  });
});
