/**
 * A hook receiver for the benchmarks, in the bench's own process: it answers 204 at once and notes when each
 * upload's `upload.recorded` first arrived (no verification: npm start's receiver, local/hook-receiver.ts, is the
 * one that verifies; here the receiver's own cost is kept small).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A hook receiver answering 204 at once: when each upload's `upload.recorded` arrived, by upload id. */
export async function startReceiver() {
  const arrived = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; data: { uploadId: string } };
      if (event.type === 'upload.recorded' && !arrived.has(event.data.uploadId)) arrived.set(event.data.uploadId, at);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrived,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
