/**
 * Just enough XML for OSS's answers (ListBucketResult, ListPartsResult, InitiateMultipartUploadResult, Error):
 * flat elements without attributes or CDATA, as OSS writes them. Not a general XML parser, and not used on
 * anything but OSS answers.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    if (entity[0] !== '#') return ENTITIES[entity.toLowerCase()] ?? '';
    const code =
      entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
    return String.fromCodePoint(code);
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
