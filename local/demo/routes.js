// The route picker of both demo pages: the routes sign-upload takes (GET /dev/routes, from routes.json or the
// demo's local/routes.json), each with its limits shown before a file is chosen. What the route refuses is
// still sign-upload's to say: the pages show its refusal, given before anything is uploaded.
import { formatBytes } from './format.js';

/** A route's limits in a line: types, sizes, how it uploads, image limits, replacement. */
export function describeRoute(r) {
  const size = r.uploads.includes('multipart') ? r.multipartMaxBytes : r.maxBytes;
  const parts = [
    r.types.join(', '),
    `${r.minBytes ? `${formatBytes(r.minBytes)} to ` : 'up to '}${formatBytes(size)}`,
    r.uploads.join(' or '),
  ];
  if (r.image) parts.push(`images at most ${r.image.maxWidth ?? 'any'}×${r.image.maxHeight ?? 'any'} px`);
  if (r.replace) parts.push(`one per user (the older one ${r.replace === 'delete' ? 'deleted' : 'kept'})`);
  return parts.join(' · ');
}

/** Fills `select` with the routes (the default one chosen) and keeps `limits` describing the chosen one. */
export async function offerRoutes(select, limits) {
  const routes = await (await fetch('/dev/routes')).json();
  for (const r of routes) {
    const option = document.createElement('option');
    option.value = r.name;
    option.textContent = r.description ? `${r.name}: ${r.description}` : r.name;
    option.selected = r.default;
    select.append(option);
  }
  const current = () => routes.find((r) => r.name === select.value) ?? routes[0];
  const show = () => {
    limits.textContent = describeRoute(current());
  };
  select.addEventListener('change', show);
  show();
  return { routes, current, byName: (name) => routes.find((r) => r.name === name) };
}
