import { describe, expect, it } from 'vitest';
import { serialQueue, startSweepTimer, timerEvent } from '../../local/timer';
import { memoryLogger } from '../../shared/log';
import { parseTriggerEvent } from '../../shared/platform/trigger-events';
import { waitFor } from '../helpers/local';

describe('timer sweep', () => {
  it('sends the event an FC timer trigger sends, which upload-event reads as one', () => {
    const event = timerEvent(new Date('2026-11-25T06:10:00.123Z'));
    expect(JSON.parse(event.toString('utf8'))).toEqual({
      triggerTime: '2026-11-25T06:10:00Z',
      triggerName: 'local-sweep',
      payload: '',
    });
    expect(parseTriggerEvent(event)).toMatchObject({ kind: 'timer', time: new Date('2026-11-25T06:10:00Z') });
  });

  it('logs a failed run and runs again on schedule; stopping waits for the run under way, then none follows', async () => {
    const logger = memoryLogger();
    let runs = 0;
    let release: () => void = () => {};
    const timer = startSweepTimer({
      everyMs: 5,
      logger,
      queue: serialQueue(),
      invoke: async () => {
        runs++;
        if (runs === 1) throw new Error('database unavailable');
        if (runs === 3) await new Promise<void>((resolve) => (release = resolve));
      },
    });
    await waitFor('a third run', async () => runs >= 3, 30_000, 5);
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'WARN', message: 'timer sweep failed; the next comes on schedule' }),
    ]);
    let stopped = false;
    const stopping = timer.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false); // the third run still holds it
    release();
    await stopping;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs).toBe(3);
  });

  it('never runs two sweeps at once: the timer and POST /dev/reconcile share one queue', async () => {
    const queue = serialQueue();
    let active = 0;
    let most = 0;
    const task = (fail: boolean) => async () => {
      active++;
      most = Math.max(most, active);
      await new Promise((resolve) => setTimeout(resolve, 2));
      active--;
      if (fail) throw new Error('failed');
    };
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map((n) => queue(task(n % 2 === 0))));
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    expect(most).toBe(1);
  });
});
