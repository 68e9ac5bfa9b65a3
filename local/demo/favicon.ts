/**
 * The demo pages' icon, an upward arrow into a tray, as SVG: served at `/favicon.ico` (browsers ask there
 * whatever a page links) and linked by both pages with its type, so no browser logs a 404 for it.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#0969da"/>
<path d="M16 6l-7.5 8H13v7h6v-7h4.5z" fill="#fff"/>
<path d="M7 20v5h18v-5" fill="none" stroke="#fff" stroke-width="2.5" stroke-linejoin="round"/>
</svg>
`;

/** The `<link>` both pages put in their head. */
export const FAVICON_LINK = '<link rel="icon" href="/favicon.ico" type="image/svg+xml">';
