/**
 * One current upload per user in a route that keeps one (settleReplaced, run after each record of such a route
 * by every path): the newest of (user, route) stays active, the others are marked replaced, and their objects'
 * fate is recorded. On PGlite, PostgreSQL and through PgBouncer (transaction mode): one statement, no session.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { migratedStore, recordInput, type TestDatabase } from '../../../local/fixtures/db';
import type { RecordStore } from '../../../shared/records/types';
import { describeEachDriver } from '../../helpers/drivers';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 25, 6, 0, seconds));

describeEachDriver('replaced records on %s', (_name, open) => {
  let t: TestDatabase;
  let store: RecordStore;
  beforeAll(async () => {
    ({ t, store } = await migratedStore(open));
  });
  beforeEach(async () => {
    await t.db.query('DELETE FROM uploads');
  });
  afterAll(async () => t.drop());

  const avatar = async (user: string, second: number, route = 'avatar') => {
    const uploadId = randomUUID();
    const key = `uploads/avatars/${user}/${uploadId}.png`;
    await store.record(recordInput({ uploadId, key, user, route, lastModified: at(second) }), 'event');
    return { uploadId, key };
  };
  const state = async (id: string) => {
    const r = await store.get(id);
    return [r?.state, r?.stateReason];
  };

  it('keeps the newest active and marks the others replaced, their objects pending deletion until said so', async () => {
    const [a, b, c] = [await avatar('ann', 1), await avatar('ann', 3), await avatar('ann', 2)];
    const other = await avatar('bob', 0);
    const banner = await avatar('ann', 0, 'banner');
    const replaced = await store.settleReplaced({ user: 'ann', route: 'avatar' }, 'delete');
    expect(replaced.map((r) => r.uploadId).sort()).toEqual([a.uploadId, c.uploadId].sort());
    expect(replaced.every((r) => r.objectPending)).toBe(true);
    expect(await state(b.uploadId)).toEqual(['active', null]);
    expect(await state(a.uploadId)).toEqual(['replaced', 'replaced:pending']);
    expect(await state(other.uploadId)).toEqual(['active', null]);
    expect(await state(banner.uploadId)).toEqual(['active', null]);
    // Still pending: a later settle answers them again (the event path's retry finishes the deletion).
    expect(
      (await store.settleReplaced({ user: 'ann', route: 'avatar' }, 'delete')).map((r) => r.uploadId).sort(),
    ).toEqual([a.uploadId, c.uploadId].sort());
    await store.replacedObjectsDeleted([a.uploadId, c.uploadId]);
    expect(await state(a.uploadId)).toEqual(['replaced', 'replaced:deleted']);
    expect(await store.settleReplaced({ user: 'ann', route: 'avatar' }, 'delete')).toEqual([]);
  });

  it('with keep, marks them replaced:kept and answers nothing to delete', async () => {
    const a = await avatar('ann', 1);
    await avatar('ann', 2);
    const replaced = await store.settleReplaced({ user: 'ann', route: 'avatar' }, 'keep');
    expect(replaced).toEqual([{ uploadId: a.uploadId, key: a.key, objectPending: false }]);
    expect(await state(a.uploadId)).toEqual(['replaced', 'replaced:kept']);
  });

  it('an older upload recorded after a newer one (a late event, the sweep) is replaced at once', async () => {
    const newer = await avatar('ann', 5);
    await store.settleReplaced({ user: 'ann', route: 'avatar' }, 'delete');
    const older = await avatar('ann', 4);
    await store.settleReplaced({ user: 'ann', route: 'avatar' }, 'delete');
    expect(await state(newer.uploadId)).toEqual(['active', null]);
    expect(await state(older.uploadId)).toEqual(['replaced', 'replaced:pending']);
    // A replaced record stays replaced when its object is confirmed again (a repeated event).
    await store.record(
      recordInput({ uploadId: older.uploadId, key: older.key, user: 'ann', route: 'avatar', lastModified: at(4) }),
      'sweep',
    );
    expect(await state(older.uploadId)).toEqual(['replaced', 'replaced:pending']);
  });

  it('twenty uploads recorded and settled at once leave exactly one active record', async () => {
    const uploads = await Promise.all(
      Array.from({ length: 20 }, async (_, n) => {
        const upload = await avatar('cid', n % 3);
        await store.settleReplaced({ user: 'cid', route: 'avatar' }, 'delete');
        return upload;
      }),
    );
    const states = await Promise.all(uploads.map((u) => state(u.uploadId)));
    expect(states.filter(([s]) => s === 'active')).toHaveLength(1);
    expect(states.filter(([s]) => s === 'replaced')).toHaveLength(19);
  });
});
