import { describe, expect, it } from 'vitest';
import { envelopeWithoutCredentials } from './ambiguous-failures.ts';

describe('envelopeWithoutCredentials', () => {
  it('drops the WS-Security header (password, nonce) and keeps the rest of the envelope', () => {
    const envelope =
      '<soap:Envelope><soap:Header><wsse:Security soap:mustUnderstand="1"><wsse:UsernameToken>' +
      '<wsse:Username>u</wsse:Username><wsse:Password>s3cret</wsse:Password></wsse:UsernameToken>' +
      '</wsse:Security><Session>t</Session></soap:Header><soap:Body><PlaceSupplierOrder>' +
      '<reference>PO-1</reference></PlaceSupplierOrder></soap:Body></soap:Envelope>';
    const recorded = envelopeWithoutCredentials(envelope);
    expect(recorded).not.toContain('s3cret');
    expect(recorded).not.toContain('Security');
    expect(recorded).toContain('<Session>t</Session>');
    expect(recorded).toContain('<reference>PO-1</reference>');
  });
});
