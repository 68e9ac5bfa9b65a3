/**
 * Lower-cases header names; values of names that collide are joined with "," as HTTP allows. A for-in loop
 * rather than Object.entries: no array per header (this runs on every request).
 */
export function lowerCaseHeaderNames(headers: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    out[lower] = out[lower] === undefined ? String(value) : `${out[lower]},${value}`;
  }
  return out;
}
