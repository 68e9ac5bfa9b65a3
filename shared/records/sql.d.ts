/** Migrations are bundled as text (esbuild `text` loader; a vitest plugin in tests). */
declare module '*.sql' {
  const sql: string;
  export default sql;
}
