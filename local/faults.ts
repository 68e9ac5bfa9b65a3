/**
 * Fault injection for the local run (never in production): what happens to each upload's callback and OSS
 * event. Tests pass a FaultPlan (functions of the object key, deterministic); `npm start` takes rates from
 * LOCAL_FAULTS (JSON) or `POST /dev/faults`, e.g.
 *   {"callback":{"drop":0.3,"error":0.3},"event":{"drop":0.1,"delayMs":2000,"duplicate":0.3,"beforeCallback":0.2},
 *    "hook":{"error":0.3,"timeout":0.1,"slow":0.1,"slowMs":3000}}
 */
import * as z from 'zod';

/**
 * - `drop`: the callback never reaches the function (OSS answers the client 203);
 * - `error`: the function's address answers 503 without running it;
 * - `lose-answer`: the function runs and records, but its answer never reaches OSS (203 all the same);
 * - `slowMs`: the callback reaches the function that much later (past OSS's wait: 203, recorded anyway).
 */
export type CallbackFault = 'deliver' | 'drop' | 'error' | 'lose-answer' | { slowMs: number };

export interface EventFault {
  /** The event never comes (only the sweep can find the object). */
  drop?: boolean;
  /** Delivered this much later (per copy: copies arrive at different times, so deliveries reorder). */
  delayMs?: number;
  /** Extra copies of the same event. */
  duplicates?: number;
  /** Delivered, and handled, before OSS sends the callback. */
  beforeCallback?: boolean;
}

/**
 * What the local hook receiver does with one attempt: answer 2xx (`deliver`), answer 500 (`error`), never answer
 * (`timeout`: the sender's HOOK_TIMEOUT_MS ends it), or answer 2xx after `slowMs`.
 */
export type HookFault = 'deliver' | 'error' | 'timeout' | { slowMs: number };

export interface FaultPlan {
  callback?(key: string): CallbackFault;
  event?(key: string): EventFault;
  /** Per upload id and attempt (from 1) of its delivery, as the receiver counts them. */
  hook?(uploadId: string, attempt: number): HookFault;
}

const rate = z.number().min(0).max(1).default(0);
export const faultRatesSchema = z.strictObject({
  callback: z
    .strictObject({
      drop: rate,
      error: rate,
      loseAnswer: rate,
      slow: rate,
      slowMs: z.number().int().min(0).default(6000),
    })
    .optional(),
  event: z
    .strictObject({
      drop: rate,
      duplicate: rate,
      beforeCallback: rate,
      delayMs: z.number().int().min(0).max(600_000).default(0),
    })
    .optional(),
  hook: z
    .strictObject({
      error: rate,
      timeout: rate,
      slow: rate,
      slowMs: z.number().int().min(0).max(600_000).default(3000),
    })
    .optional(),
});
export type FaultRates = z.infer<typeof faultRatesSchema>;

/** A plan drawing each upload's faults at random with the given rates. */
export function faultsFromRates(rates: FaultRates, random: () => number = Math.random): FaultPlan {
  const { callback, event, hook } = rates;
  return {
    hook() {
      if (!hook) return 'deliver';
      const r = random();
      if (r < hook.error) return 'error';
      if (r < hook.error + hook.timeout) return 'timeout';
      if (r < hook.error + hook.timeout + hook.slow) return { slowMs: hook.slowMs };
      return 'deliver';
    },
    callback() {
      if (!callback) return 'deliver';
      const r = random();
      const choices: [number, CallbackFault][] = [
        [callback.drop, 'drop'],
        [callback.error, 'error'],
        [callback.loseAnswer, 'lose-answer'],
        [callback.slow, { slowMs: callback.slowMs }],
      ];
      let edge = 0;
      for (const [share, fault] of choices) {
        edge += share;
        if (r < edge) return fault;
      }
      return 'deliver';
    },
    event() {
      if (!event) return {};
      if (random() < event.drop) return { drop: true };
      return {
        delayMs: Math.round(random() * event.delayMs),
        duplicates: random() < event.duplicate ? 1 : 0,
        beforeCallback: random() < event.beforeCallback,
      };
    },
  };
}

/** Parses LOCAL_FAULTS or a /dev/faults body; throws a readable error. */
export function parseFaultRates(json: string): FaultRates {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('fault rates: not JSON');
  }
  const result = faultRatesSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`fault rates: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}
