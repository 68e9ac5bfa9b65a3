/**
 * OSS's request ids (`x-oss-request-id`, `${reqId}`, an event's `responseElements.requestId`) are 24 hex digits.
 * Where one arrives unsigned (a callback's header, an event's hint), only a value shaped like one is logged or
 * stored: anything else (a 15 KB header made every request line 15 KB; a U+0000 failed the record's write) is
 * dropped.
 */
const OSS_REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/;

export const ossRequestIdOf = (value: string | undefined): string | undefined =>
  value !== undefined && OSS_REQUEST_ID.test(value) ? value : undefined;
