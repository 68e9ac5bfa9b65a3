/** The PGlite template's bytes, once they are there (test/setup/template-bytes.mjs). */
export function templateBytes(file: string): Buffer;
