import { describe, expect, it } from 'vitest';
import { xsdPatternToEcma } from './xsd-pattern.ts';

describe('xsdPatternToEcma', () => {
  it('anchors the pattern, as XSD matches whole values', () => {
    const pattern = new RegExp(xsdPatternToEcma('[A-Z]{2}')!, 'u');
    expect(pattern.test('DE')).toBe(true);
    expect(pattern.test('xDEx')).toBe(false);
  });

  it('accepts the escaped hyphen XSD allows outside a class (EU VIES companyTypeCode)', () => {
    const pattern = new RegExp(xsdPatternToEcma('[A-Z]{2}\\-[1-9][0-9]?')!, 'u');
    expect(pattern.test('DE-12')).toBe(true);
    expect(pattern.test('DE12')).toBe(false);
  });

  it('expands the XML name escapes', () => {
    const pattern = new RegExp(xsdPatternToEcma('\\i\\c*')!, 'u');
    expect(pattern.test('ns:item-1')).toBe(true);
    expect(pattern.test('1item')).toBe(false);
  });

  it('gives up on what ECMAScript cannot express', () => {
    expect(xsdPatternToEcma('\\p{IsBasicLatin}+')).toBeUndefined();
  });
});
