import type { WsdlModel } from '../wsdl/model.ts';

/**
 * soap-proxy's one naming rule, used alike by `cli.ts openapi`, `cli.ts serve` and configured
 * services: a service's operations are at `/api/v1/<name>/<operation>`, where `<name>` is the
 * configured name, else the WSDL's (first) `<service name>` with every character other than a
 * letter, digit, `_` or `-` made `_` and anything before its first letter dropped.
 */
export function serviceNameFor(model: WsdlModel, configured?: string): string {
  if (configured !== undefined) return configured;
  const [first] = model.services;
  return (first?.name ?? '').replace(/[^\w-]/g, '_').replace(/^[^A-Za-z]+/, '') || 'service';
}
