/**
 * npm start's hook receiver (`POST /dev/hooks`): what an app's endpoint does, with the `standardwebhooks` package
 * a receiver would use: verify the signature, note the delivery by its webhook-id, answer 2xx at once. Each
 * attempt is kept (tests read them; the demo page shows attempts, status and upload-to-delivery latency), and
 * the fault plan can make an attempt answer 500, time out, or answer late. Never in production.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import type { HookEvent } from '../shared/hooks';
import type { HookFault } from './faults';

export interface ReceivedAttempt {
  webhookId: string;
  /** The n-th attempt of this webhook-id this receiver saw. */
  attempt: number;
  verified: boolean;
  /** What the receiver answered (0: it never answered: a timeout). */
  answered: number;
  receivedAt: number;
  /** The parsed body, when it verified. */
  event?: HookEvent;
  headers: Record<string, string>;
  body: string;
}

export interface HookReceiver {
  attempts: ReceivedAttempt[];
  /** Webhook-ids being answered now, and the most that ever were at once per id (1: never twice at once). */
  maxConcurrentPerId: number;
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
  /** Per upload id: its deliveries as the receiver saw them, for the demo page. */
  summary(): Record<string, { attempts: number; delivered: string[]; latencyMs: number | null }>;
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
};

export function hookReceiver(secret: string, fault: (uploadId: string, attempt: number) => HookFault): HookReceiver {
  const webhook = new Webhook(secret);
  const attempts: ReceivedAttempt[] = [];
  const seen = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const receiver: HookReceiver = {
    attempts,
    maxConcurrentPerId: 0,
    async handle(req, res, body) {
      const text = body.toString('utf8');
      const headers = {
        'webhook-id': header(req, 'webhook-id'),
        'webhook-timestamp': header(req, 'webhook-timestamp'),
        'webhook-signature': header(req, 'webhook-signature'),
      };
      let event: HookEvent | undefined;
      try {
        event = webhook.verify(text, headers) as HookEvent;
      } catch {
        event = undefined;
      }
      const id = headers['webhook-id'];
      const attempt = (seen.get(id) ?? 0) + 1;
      seen.set(id, attempt);
      const entry: ReceivedAttempt = {
        webhookId: id,
        attempt,
        verified: event !== undefined,
        answered: 0,
        receivedAt: Date.now(),
        headers,
        body: text,
        ...(event ? { event } : {}),
      };
      attempts.push(entry);
      if (!event) return answer(res, entry, 401);
      const current = (inFlight.get(id) ?? 0) + 1;
      inFlight.set(id, current);
      receiver.maxConcurrentPerId = Math.max(receiver.maxConcurrentPerId, current);
      try {
        const planned = fault(event.data.uploadId, attempt);
        if (planned === 'timeout') {
          // Never answered: the sender's timeout ends it (its socket closes, which ends this wait).
          await new Promise<void>((resolve) => res.on('close', () => resolve()));
          return;
        }
        if (typeof planned === 'object') await new Promise((resolve) => setTimeout(resolve, planned.slowMs));
        answer(res, entry, planned === 'error' ? 500 : 204);
      } finally {
        inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
      }
    },
    summary() {
      const out: Record<string, { attempts: number; delivered: string[]; latencyMs: number | null }> = {};
      for (const a of attempts) {
        if (!a.event) continue;
        const id = a.event.data.uploadId;
        const s = out[id] ?? { attempts: 0, delivered: [], latencyMs: null };
        out[id] = s;
        s.attempts++;
        if (a.answered >= 200 && a.answered < 300) {
          s.delivered.push(a.event.type);
          if (a.event.type === 'upload.recorded' && s.latencyMs === null)
            s.latencyMs = a.receivedAt - Date.parse(a.event.data.recordedAt);
        }
      }
      return out;
    },
  };
  return receiver;
}

function answer(res: ServerResponse, entry: ReceivedAttempt, status: number) {
  entry.answered = status;
  res.writeHead(status, status === 204 ? {} : { 'content-type': 'application/json' });
  res.end(status === 204 ? undefined : JSON.stringify({ error: status === 401 ? 'bad signature' : 'injected' }));
}
