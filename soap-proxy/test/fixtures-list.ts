import { fixture } from './round-trip-support.ts';
import { SUPPLIER_WSDL } from './support.ts';

/** Every WSDL the sweeps run over: the public fixtures (test/fixtures/wsdl/SOURCES.tsv) and the reference supplier's. */
export const FIXTURE_WSDLS: { name: string; file: string }[] = [
  { name: 'soap-supplier (reference)', file: SUPPLIER_WSDL },
  { name: 'dneonline-calculator', file: fixture('dneonline-calculator/CalculatorService.wsdl') },
  { name: 'oorsprong-countryinfo', file: fixture('oorsprong-countryinfo/CountryInfoService.wsdl') },
  { name: 'eu-vies-checkvat', file: fixture('eu-vies-checkvat/checkVatService.wsdl') },
  { name: 'mantisbt-mantisconnect', file: fixture('mantisbt-mantisconnect/mantisconnect.wsdl') },
  { name: 'paypal-api', file: fixture('paypal-api/PayPalSvc.wsdl') },
  {
    name: 'soapbuilders-round3-headers',
    file: fixture('soapbuilders-round3-headers/round3_groupF_headers.wsdl'),
  },
  {
    name: 'soapbuilders-round3-headers (UTF-8 BOM)',
    file: fixture('soapbuilders-round3-headers/round3_groupF_headers.utf8-bom.wsdl'),
  },
  {
    name: 'soapbuilders-round3-headers (UTF-16)',
    file: fixture('soapbuilders-round3-headers/round3_groupF_headers.utf16.wsdl'),
  },
];
