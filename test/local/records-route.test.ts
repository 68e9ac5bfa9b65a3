import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordInput } from '../../local/fixtures/db';
import { startTestServer } from '../helpers/local';

let local: Awaited<ReturnType<typeof startTestServer>>;
const ids = Array.from({ length: 7 }, (_, i) => `00000000-0000-4000-8000-00000000070${i}`);

beforeAll(async () => {
  local = await startTestServer();
  for (const uploadId of ids)
    await local.store.record(recordInput({ uploadId, key: `uploads/u/${uploadId}` }), 'sweep');
});
afterAll(async () => local?.stop());

const nextOf = (res: Response) => /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1];

describe('GET /records', () => {
  it('pages newest first and says whether more follow (Link rel="next"), so every record is reached once', async () => {
    const seen: string[] = [];
    let next: string | undefined = '/records?limit=3';
    let pages = 0;
    while (next) {
      const res = await fetch(`${local.url}${next}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { uploadId: string }[];
      expect(page.length).toBeLessThanOrEqual(3);
      seen.push(...page.map((r) => r.uploadId));
      next = nextOf(res);
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('answers everything in one page when it fits, with no Link; a bad limit or cursor is 400', async () => {
    const res = await fetch(`${local.url}/records`);
    expect(res.headers.get('link')).toBeNull();
    expect(((await res.json()) as unknown[]).length).toBe(ids.length);
    expect((await fetch(`${local.url}/records?limit=0`)).status).toBe(400);
    expect((await fetch(`${local.url}/records?limit=1001`)).status).toBe(400);
    expect((await fetch(`${local.url}/records?cursor=-1`)).status).toBe(400);
  });
});
