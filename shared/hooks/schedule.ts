/**
 * The retry schedule: the delay before each retry, as a list (`1m,5m,30m,2h,5h,10h,10h`, the default: the
 * Standard Webhooks reference schedule with its first 5 s retry moved to 1 minute, the timer's period), each
 * drawn within ±20 % (jitter: retries of many deliveries that failed together spread out instead of arriving
 * together). After the last retry fails the delivery is failed (kept; `npm run hooks -- --retry`).
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md (retry schedule)
 */
export const DEFAULT_RETRY_SCHEDULE = '1m,5m,30m,2h,5h,10h,10h';
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;
export const JITTER = 0.2;

/** The delays of `text` in ms, or a message saying what is wrong. */
export function parseSchedule(text: string): number[] | string {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.length > 20) return 'must list 1 to 20 delays';
  const delays: number[] = [];
  for (const part of parts) {
    const m = DURATION.exec(part);
    if (!m) return `"${part.slice(0, 20)}" is not a delay like 30s, 5m or 2h`;
    delays.push(Number(m[1]) * (UNIT_MS[m[2] as string] as number));
  }
  return delays;
}

/** The delay before the retry after attempt `attempt` (from 1), or null: it was the last. `random` in [0, 1). */
export function retryDelay(schedule: readonly number[], attempt: number, random: () => number): number | null {
  const base = schedule[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 + JITTER * (2 * random() - 1)));
}

/** How long the schedule lasts at most (the documented "failed after"). */
export const scheduleSpanMs = (schedule: readonly number[]) =>
  schedule.reduce((sum, delay) => sum + delay, 0) * (1 + JITTER);
