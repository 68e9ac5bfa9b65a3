/**
 * Request bodies for the local server, read with a cap: the bytes are counted as they stream in, and reading
 * stops at the first byte over the cap (a declared Content-Length over it stops it before any), so a 100 MB
 * body is never buffered. The caller then answers what the deployed side would (413 JSON from a function,
 * EntityTooLarge XML from OSS) on a connection it closes.
 */
import type { IncomingMessage } from 'node:http';

/** The body, or undefined when it is longer than `cap` bytes (the request is left paused). */
export function readCappedBody(req: IncomingMessage, cap: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > cap) {
    req.pause();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        req.off('data', onData);
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
    // A client that goes away mid-body: nothing to answer (a no-op once 'end' has resolved).
    req.once('close', () => resolve(undefined));
  });
}
