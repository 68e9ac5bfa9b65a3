// How the records table words a record's values for a person: sizes, times, keys. Pure (the caller passes
// `now`); the exact value always goes in the cell's title, so rounding here never hides anything.

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** `105436` → `103 KiB`, `26214400` → `25.0 MiB`: 1024-based, as the project's limits are (5 MiB parts). */
export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

/** `105,436 bytes`: the exact size, grouped so it reads at a glance. */
export const exactBytes = (bytes) => `${bytes.toLocaleString('en-US')} bytes`;

const pad = (n) => String(n).padStart(2, '0');
const clock = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * `12 s ago`, `5 min ago`, then the local time of day (`06:03:12`), then day and time this year (`Jun 1 06:03`),
 * then the date (`2024-06-01`): at most 11 characters, so the time column never cuts one.
 */
export function formatWhen(iso, now) {
  const at = new Date(iso);
  const seconds = Math.max(0, Math.floor((now - at.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  const today = new Date(now);
  if (at.toDateString() === today.toDateString()) return clock(at);
  if (at.getFullYear() === today.getFullYear())
    return `${MONTHS[at.getMonth()]} ${at.getDate()} ${clock(at).slice(0, 5)}`;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

// sign-upload's keys end in `<uuid>-<name>` (shared/proof/object-key.ts).
const ID_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-(.+)$/i;

/** `uploads/alice/2025/06/<uuid>-photo.png` → folder `uploads/alice/2025/06/`, name `photo.png`. */
export function splitKey(key) {
  const slash = key.lastIndexOf('/') + 1;
  const last = key.slice(slash);
  return { folder: key.slice(0, slash), name: ID_NAME.exec(last)?.[1] ?? last };
}

/** The upload's variables as the client set them: `{"x:album":"trip"}` → `album=trip`. */
export const formatVars = (vars) =>
  Object.entries(vars ?? {})
    .map(([name, value]) => `${name.replace(/^x:/, '')}=${value}`)
    .join(' ');
