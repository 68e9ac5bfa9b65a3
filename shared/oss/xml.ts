/**
 * Just enough XML for OSS's answers (ListBucketResult, ListPartsResult, InitiateMultipartUploadResult, Error):
 * flat elements without attributes or CDATA, as OSS writes them. Not a general XML parser. Also reads a
 * client's CompleteMultipartUpload part list (s3-complete.ts), so nothing here throws on hostile text: the
 * caller checks the values it reads.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decodes the five entities and character references. Never throws: a reference to no character (past
 * U+10FFFF, a surrogate, U+0000) stays as the text it was, for the caller's own checks to refuse.
 */
export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (reference, entity: string) => {
    if (entity[0] !== '#') return ENTITIES[entity.toLowerCase()] ?? reference;
    const code =
      entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
    const valid = Number.isSafeInteger(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
    return valid ? String.fromCodePoint(code) : reference;
  });
}

/** The inner text of each `<tag>…</tag>` in `xml`, in order. */
export function xmlBlocks(xml: string, tag: string): string[] {
  const out: string[] = [];
  const open = `<${tag}>`;
  const close = `</${tag}>`;
  let at = xml.indexOf(open);
  while (at !== -1) {
    const end = xml.indexOf(close, at + open.length);
    if (end === -1) break;
    out.push(xml.slice(at + open.length, end));
    at = xml.indexOf(open, end + close.length);
  }
  return out;
}

/** The decoded text of the first `<tag>…</tag>` (`<tag/>` is ""), or undefined when absent. */
export function xmlValue(xml: string, tag: string): string | undefined {
  if (xml.includes(`<${tag}/>`) && !xml.includes(`<${tag}>`)) return '';
  const [first] = xmlBlocks(xml, tag);
  return first === undefined ? undefined : decodeXmlText(first);
}

/** Escapes text for an element body (Complete's part list). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}
