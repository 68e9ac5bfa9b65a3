/**
 * ETags compare without quotes and in upper case: OSS events carry `688A…`, HTTP headers `"688a…"`. Pure; the
 * one spelling every path compares and stores.
 */
export const normalizeEtag = (etag: string) => etag.replace(/"/g, '').toUpperCase();

/**
 * A normalized ETag OSS could have given: hex MD5, `<hex>-<parts>` for multipart objects, and no stranger
 * (appendable and copied objects keep to these characters). Lenient on the form, strict on emptiness and junk.
 */
const ETAG = /^[0-9A-Z][0-9A-Z-]{0,127}$/;
export const isNormalizedEtag = (etag: string) => ETAG.test(etag);
