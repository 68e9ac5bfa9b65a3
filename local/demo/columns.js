// The records table's columns, in order, one entry each: the header, a width in em (the table is laid out
// fixed, so it never grows past its container; a container narrower than the widths' sum gets cards instead) and
// what a record shows there. A cell is a main line, an optional second, muted line (`sub`), the exact values on
// hover (`title`), `num` for figures, and `wrap` for a second line that may wrap between its words (each word
// and figure stays whole; any other line is cut with an ellipsis).
// A new column is one more entry; one that needs another endpoint than GET /records names it in `needs`, and
// its cell gets that endpoint's JSON as `data[url]` (undefined while the endpoint is absent or failing).
import { exactBytes, formatBytes, formatVars, formatWhen, splitKey } from './format.js';

const iso = (value) => (value ? new Date(value).toISOString() : '—');
const lines = (...parts) => parts.filter(Boolean).join('\n');

function fileCell(r) {
  const { folder, name } = splitKey(r.key);
  return { text: name, sub: folder, title: lines(r.key, `upload id ${r.uploadId}`) };
}

function timeCell(r, { now }) {
  const title = lines(`recorded ${iso(r.createdAt)}`, `object last modified ${iso(r.lastModified)}`);
  return { text: formatWhen(r.createdAt, now), title, num: true };
}

function stateCell(r) {
  if (r.state === 'active') return { text: 'active', title: 'the object is in the bucket as recorded' };
  const title = lines(`${r.state} ${iso(r.stateChangedAt)}`, r.stateReason && `reason: ${r.stateReason}`);
  return { text: r.state, sub: r.stateReason ?? '', title };
}

const COUNTS = { callback: 'callback', event: 'OSS event', sweep: 'sweep' };
function learnedCell(r) {
  const counts = { callback: r.callbackCount, event: r.eventCount, sweep: r.sweepCount };
  // No-break spaces: a line may wrap between two counts, never inside one.
  const seen = Object.entries(counts).map(([source, n]) => `${source}\u00a0${n}`);
  const title = Object.entries(counts).map(([source, n]) => `${COUNTS[source]}: ${n}×`);
  return {
    text: `${r.firstSource} first`,
    sub: seen.join('\u00a0· '),
    wrap: true,
    title: lines(`first by ${COUNTS[r.firstSource]}`, ...title),
  };
}

const sizeCell = (r) => ({ text: formatBytes(r.size), title: exactBytes(r.size), num: true });
const userCell = (r) => ({ text: r.user, sub: formatVars(r.vars), title: lines(r.user, formatVars(r.vars)) });
const objectCell = (r) => ({ text: r.etag, sub: r.operation ?? '', title: lines(`ETag ${r.etag}`, r.operation) });

function typeCell(r) {
  const image = r.imageWidth ? `${r.imageWidth}×${r.imageHeight} ${r.imageFormat ?? ''}`.trim() : '';
  return { text: r.mimeType, sub: image, title: lines(r.mimeType, image) };
}

const routeCell = (r) => ({
  text: r.route,
  title: r.route === 'default' ? 'the route of the UPLOAD_* settings (no routes.json)' : `route ${r.route}`,
});

/**
 * The processing hooks of a record (GET /dev/hooks): each event's status and attempts, and the time from the
 * record to its first delivery at the local receiver.
 */
function hooksCell(r, { data }) {
  const entry = data?.['/dev/hooks']?.[r.uploadId];
  if (!entry) return { text: '—', title: 'no hook for this route (or the page has no /dev/hooks)' };
  const recorded = entry.deliveries.find((d) => d.type === 'upload.recorded') ?? entry.deliveries[0];
  const attempts = entry.deliveries.reduce((n, d) => n + d.attempts, 0);
  const latency = entry.latencyMs === null ? '' : `${(entry.latencyMs / 1000).toFixed(2)}\u00a0s`;
  const title = entry.deliveries.map(
    (d) =>
      `${d.type}: ${d.status}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}` +
      (d.lastStatus || d.lastError ? ` (last: ${d.lastStatus ?? d.lastError})` : '') +
      ` to ${d.host}`,
  );
  return {
    text: recorded.status,
    sub: [`${attempts}\u00a0attempt${attempts === 1 ? '' : 's'}`, latency].filter(Boolean).join('\u00a0· '),
    wrap: true,
    title: lines(...title, latency && `upload to delivery: ${latency}`),
  };
}

export const COLUMNS = [
  { name: 'file', width: 'auto', cell: fileCell },
  { name: 'route', width: '8em', cell: routeCell },
  { name: 'size', width: '5.5em', cell: sizeCell },
  { name: 'type', width: '9.5em', cell: typeCell },
  { name: 'recorded', width: '7.5em', cell: timeCell },
  { name: 'state', width: '6.5em', cell: stateCell },
  { name: 'user', width: '8.5em', cell: userCell },
  { name: 'learned by', width: '15.5em', cell: learnedCell },
  { name: 'object', width: '7.5em', cell: objectCell },
  { name: 'hooks', width: '8.5em', cell: hooksCell, needs: '/dev/hooks' },
];
