import { describe, expect, it } from 'vitest';
import { decodeXmlText, xmlValue } from '../../../shared/oss';

describe('decodeXmlText', () => {
  it('decodes the five entities and character references', () => {
    expect(decodeXmlText('&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#x1F600;')).toBe('&<>"\'AB\u{1F600}');
  });

  it('never throws: out-of-range code points and surrogates stay as text', () => {
    for (const ref of ['&#x110000;', '&#1114112;', '&#xD800;', '&#57343;', '&#x99999999999999999999;']) {
      expect(() => decodeXmlText(ref)).not.toThrow();
      expect(decodeXmlText(ref)).toBe(ref);
    }
    expect(xmlValue('<ETag>&#x110000;</ETag>', 'ETag')).toBe('&#x110000;');
  });
});
