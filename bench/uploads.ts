/**
 * Uploads as a client makes them against the local run: a dev JWT (`POST /dev/token`), `POST /sign`, then the
 * signed PUT to the local OSS (which calls upload-callback back before it answers, unless its faults drop it).
 */

export interface ClientUpload {
  uploadId: string;
  /** When its PUT was sent (the signing is not counted), ms since the epoch. */
  sentAt: number;
  /** The local OSS's answer: 200, or 203 when the callback failed (the object is stored all the same). */
  status: number;
  /** The answer's body when it was not a 200 (OSS's CallbackFailed says why). */
  detail?: string;
}

export async function devToken(url: string, sub = 'bench-user'): Promise<string> {
  const res = await fetch(`${url}/dev/token`, { method: 'POST', body: JSON.stringify({ sub }) });
  return ((await res.json()) as { token: string }).token;
}

/** One upload of `body` as text/plain: signed, then PUT. */
export async function clientUpload(url: string, jwt: string, body: Buffer): Promise<ClientUpload> {
  const res = await fetch(`${url}/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ filename: 'bench.txt', contentType: 'text/plain', size: body.length }),
  });
  if (res.status !== 200) throw new Error(`sign-upload answered ${res.status}: ${await res.text()}`);
  const signed = (await res.json()) as { uploadId: string; put: { url: string; headers: Record<string, string> } };
  const sentAt = Date.now();
  const put = await fetch(signed.put.url, { method: 'PUT', headers: signed.put.headers, body });
  const answer = await put.text();
  if (put.status !== 200 && put.status !== 203) throw new Error(`the local OSS answered the PUT ${put.status}`);
  return { uploadId: signed.uploadId, sentAt, status: put.status, ...(put.status === 200 ? {} : { detail: answer }) };
}

/** `count` uploads of `bytes` each, `concurrency` at a time; with how long they took in all, seconds. */
export async function clientUploads(
  url: string,
  count: number,
  concurrency: number,
  bytes = 2048,
): Promise<{ uploads: ClientUpload[]; seconds: number }> {
  const jwt = await devToken(url);
  const body = Buffer.alloc(bytes, 'b');
  const uploads: ClientUpload[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) uploads.push(await clientUpload(url, jwt, body));
    }),
  );
  return { uploads, seconds: (performance.now() - started) / 1000 };
}
