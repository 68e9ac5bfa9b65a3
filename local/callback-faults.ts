/**
 * The callback route of the local run with the fault plan applied (faults.ts says what each fault does): what
 * OSS would see of a callback target that drops, fails, loses its answer or is slow. Never in production.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntryPoint } from '../shared/middleware/cold-start';
import type { FaultPlan } from './faults';
import { fcEventFrom, invokeFc } from './fc-bridge';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The object a callback body names (our callbacks are form bodies; `object=<key>`). */
function callbackObject(body: Buffer): string {
  return new URLSearchParams(body.toString('utf8')).get('object') ?? '';
}

/** The callback route with the plan's fault for this object applied (see faults.ts for each). */
export async function callbackWithFaults(
  plan: FaultPlan,
  entry: EntryPoint,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const fault = plan.callback?.(callbackObject(body)) ?? 'deliver';
  if (fault === 'drop') return void req.socket.destroy();
  if (fault === 'error') {
    res.writeHead(503, { 'content-type': 'text/plain', 'content-length': 11 });
    return void res.end('unavailable');
  }
  if (fault === 'lose-answer') {
    await entry(fcEventFrom(req, body), {});
    return void req.socket.destroy();
  }
  if (fault !== 'deliver') await sleep(fault.slowMs);
  return invokeFc(entry, req, res, body);
}
