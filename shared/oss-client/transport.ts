/**
 * The OSS client's HTTP transport: node:http and node:https with keep-alive, shaped as the part of `fetch` the
 * client uses. Not `fetch` itself, for the cold start: Node 20 loads undici on the first `fetch` call, 40–68 ms
 * on this project's machine against 17–26 ms for a first node:http request (measured, `node -e`, load ~8), and
 * upload-callback's first HeadObject is on its first request's path. Tests and callers that fake OSS still pass
 * a `fetch` of their own (OssClientOptions.fetch).
 */
import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';

/** The headers of an answer, as both this transport and `fetch`'s `Headers` give them. */
export interface ResponseHeaders {
  get(name: string): string | null;
  forEach(callback: (value: string, name: string) => void): void;
}

export interface TransportResponse {
  status: number;
  headers: ResponseHeaders;
  text(): Promise<string>;
}

export interface TransportInit {
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal: AbortSignal;
}

export type Transport = (url: string, init: TransportInit) => Promise<TransportResponse>;

type Request = (url: string, options: RequestOptions, answer: (res: IncomingMessage) => void) => ClientRequest;

/**
 * node:http or node:https with its keep-alive pool, loaded at its first use: sign-upload bundles this client
 * for multipart and must not pay for loading TLS at its cold start. One pool per instance, reused across
 * invocations (an FC instance serves many).
 */
const protocols: Partial<Record<'http' | 'https', Promise<{ request: Request; agent: Agent }>>> = {};
function protocol(https: boolean) {
  const name = https ? 'https' : 'http';
  protocols[name] ??= (https ? import('node:https') : import('node:http')).then((mod) => ({
    request: mod.request as Request,
    agent: new mod.Agent({ keepAlive: true }),
  }));
  return protocols[name];
}

function headersOf(res: IncomingMessage): ResponseHeaders {
  const raw = res.headers;
  const value = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(', ') : v);
  return {
    get: (name) => value(raw[name.toLowerCase()]) ?? null,
    forEach(callback) {
      for (const [name, v] of Object.entries(raw)) {
        const joined = value(v);
        if (joined !== undefined) callback(joined, name);
      }
    },
  };
}

/** The answer's body, read whole (OSS's XML and JSON answers are small). */
function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** Methods a client may send again on its own (RFC 9110 §9.2.2): PUT and DELETE, GET and HEAD, not POST. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/**
 * A kept-alive connection the server closed while it sat idle fails the next request sent on it (ECONNRESET,
 * EPIPE) before any answer; Node's agent does not resend. An idempotent request is sent once more, on a new
 * connection, as Node's documentation for `request.reusedSocket` advises.
 */
const resentOnFreshSocket = (req: ClientRequest, error: NodeJS.ErrnoException, method: string) =>
  req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE') && IDEMPOTENT.has(method);

export const nodeTransport: Transport = (url, init) =>
  send(url, init).catch((error: { retry?: boolean }) => (error.retry ? send(url, init) : Promise.reject(error)));

async function send(url: string, init: TransportInit): Promise<TransportResponse> {
  const { request, agent } = await protocol(url.startsWith('https:'));
  return new Promise((resolve, reject) => {
    const body = typeof init.body === 'string' ? Buffer.from(init.body) : init.body;
    const headers = body === undefined ? init.headers : { ...init.headers, 'content-length': String(body.length) };
    const req = request(url, { method: init.method, headers, agent, signal: init.signal }, (res) => {
      // A HEAD answer has no body to read; the rest is read when asked for, as fetch does.
      const text = init.method === 'HEAD' ? Promise.resolve('') : readBody(res);
      if (init.method === 'HEAD') res.resume();
      text.catch(() => {});
      resolve({ status: res.statusCode ?? 0, headers: headersOf(res), text: () => text });
    });
    req.on('error', (error) => {
      // An abort rejects with the signal's reason (a TimeoutError for AbortSignal.timeout), as fetch does.
      if (init.signal.aborted) reject(init.signal.reason);
      else reject(resentOnFreshSocket(req, error, init.method) ? Object.assign(error, { retry: true }) : error);
    });
    req.end(body);
  });
}
