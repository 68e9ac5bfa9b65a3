import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/local';

describe("npm start's SIGN_URL", () => {
  it('answers POST /sign/ (a trailing slash) as POST /sign, and 404s a path beside it', async () => {
    const local = await startTestServer({});
    try {
      const jwt = (await (await fetch(`${local.url}/dev/token`, { method: 'POST' })).json()) as { token: string };
      const sign = (path: string) =>
        fetch(`${local.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt.token}` },
          body: JSON.stringify({ filename: 'c.txt', contentType: 'text/plain', size: 4 }),
        });
      for (const path of ['/sign', '/sign/']) {
        const res = await sign(path);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        expect(await res.json()).toMatchObject({ put: { url: expect.stringContaining('/uploads/') } });
      }
      expect((await sign('/signs')).status).toBe(404);
    } finally {
      await local.stop();
    }
  }, 60_000);
});
