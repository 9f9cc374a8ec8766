import { describe, expect, it } from 'vitest';
import { decodeXml } from './decode.ts';

const xml = '<?xml version="1.0"?><a>Grüße €</a>';

describe('decodeXml', () => {
  it('strips a UTF-8 byte-order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]);
    expect(decodeXml(bytes)).toBe(xml);
  });

  it('reads UTF-16 with either byte order, with or without a BOM', () => {
    const le = Buffer.from(xml.replace('?>', ' encoding="UTF-16"?>'), 'utf16le');
    const be = Buffer.from(le).swap16();
    const text = xml.replace('?>', ' encoding="UTF-16"?>');
    expect(decodeXml(Buffer.concat([Buffer.from([0xff, 0xfe]), le]))).toBe(text);
    expect(decodeXml(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe(text);
    expect(decodeXml(le)).toBe(text);
  });

  it('honours the declared encoding, and the HTTP charset over it', () => {
    const latin1 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>Grüße</a>', 'latin1');
    expect(decodeXml(latin1)).toContain('<a>Grüße</a>');
    const utf8 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>Grüße</a>');
    expect(decodeXml(utf8, 'text/xml; charset=utf-8')).toContain('<a>Grüße</a>');
  });

  it('names an encoding it cannot decode', () => {
    expect(() => decodeXml(Buffer.from('<?xml version="1.0" encoding="X-NOPE"?><a/>'))).toThrow(
      'X-NOPE',
    );
  });
});
