/**
 * One operation at a time per object key, in arrival order, as OSS applies the requests that write or remove one
 * key: a check and the write it guards (`x-oss-forbid-overwrite`, a Complete whose upload must still exist) are
 * one step, so no other request on the key runs between them. Requests on other keys go on in parallel.
 * In-process only: one local OSS per data folder stores objects (`npm run bucket -- --local` only configures).
 */
export class KeyLock {
  /** Per key, the settled end of the last queued operation; removed when nothing more is queued behind it. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `work` once every earlier operation on `key` has finished (whether it succeeded or failed). */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** How many keys have an operation queued or running (0 when idle: the map does not grow with keys seen). */
  get busyKeys(): number {
    return this.tails.size;
  }
}
