/** Lower-cases header names; values of names that collide are joined with "," as HTTP allows. */
export function lowerCaseHeaderNames(headers: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    out[lower] = out[lower] === undefined ? String(value) : `${out[lower]},${value}`;
  }
  return out;
}
