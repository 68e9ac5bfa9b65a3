import { StoreUnavailableError } from '../../shared/records/types';

/**
 * One deadline for the store's steps (open, then write): a single timer, armed once, that every step races,
 * so the answer reaches OSS within its 5 s whatever the database does. `stop` disarms it when the work is done.
 */
export function deadline(ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StoreUnavailableError(`no answer within ${Math.round(ms)} ms`)),
      Math.max(0, ms),
    );
  });
  expired.catch(() => {}); // raced below; never an unhandled rejection once no step is waiting
  return {
    race: <T>(work: Promise<T>): Promise<T> => Promise.race([work, expired]),
    stop: () => clearTimeout(timer),
  };
}
