/**
 * `GET /records[?limit=<1..1000>&cursor=<next>]` (local only): one page of the records, newest first, as a JSON
 * array (default 50). When more follow, the answer says so with a `Link: <…>; rel="next"` header (RFC 8288) naming
 * the next page; no such header means this page was the last. A record created while paging lands on the first
 * page, so a later page may repeat one already seen (the list shifts down), never skip one.
 */
import type { RecordStore, UploadRecord } from '../shared/records/types';

export const DEFAULT_RECORDS_PAGE = 50;
export const MAX_RECORDS_PAGE = 1000;

export type RecordsAnswer =
  | { status: 200; records: UploadRecord[]; headers: Record<string, string> }
  | { status: 400; error: { code: 'InvalidRequest'; message: string } };

/** A whole number in min..max, or undefined. */
function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d{1,9}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

export async function recordsPage(store: RecordStore, query: URLSearchParams): Promise<RecordsAnswer> {
  const limit = wholeNumber(query.get('limit') ?? String(DEFAULT_RECORDS_PAGE), 1, MAX_RECORDS_PAGE);
  if (limit === undefined)
    return { status: 400, error: { code: 'InvalidRequest', message: `limit must be 1..${MAX_RECORDS_PAGE}` } };
  // The cursor is the count of records before the page (opaque to clients: pass `next` back as it came).
  const offset = wholeNumber(query.get('cursor') ?? '0', 0, 999_999_999);
  if (offset === undefined)
    return { status: 400, error: { code: 'InvalidRequest', message: 'cursor must be a Link rel="next" value' } };
  // One more than the page: whether another page follows.
  const rows = (await store.list(offset + limit + 1)).slice(offset);
  const records = rows.slice(0, limit);
  const headers: Record<string, string> =
    rows.length > limit ? { link: `</records?limit=${limit}&cursor=${offset + limit}>; rel="next"` } : {};
  return { status: 200, records, headers };
}
