import type { OperationModel, PortModel, WsdlModel } from '../wsdl/model.ts';

/** One REST endpoint: a SOAP operation on one port, reachable at `path`. */
export interface RestOperation {
  /** URL path segment for the service (openapi/service-name.ts). */
  service: string;
  port: PortModel;
  operation: OperationModel;
  /** `/api/v1/<service>/<operation>`, or `/api/v1/<service>/<port>/<operation>` for an operation a first port already took. */
  path: string;
  operationId: string;
}

/**
 * Every operation of every SOAP port, each with a stable REST path. An operation several ports
 * offer (SOAP 1.1 and 1.2 twins, or two `<service>`s) keeps the short path on its first port; the
 * others get a port-qualified path so none is lost.
 */
export function restOperations(
  model: WsdlModel,
  { basePath = '/api/v1', serviceName }: { basePath?: string; serviceName: string },
): RestOperation[] {
  const result: RestOperation[] = [];
  const name = serviceName;
  const taken = new Set<string>();
  for (const service of model.services) {
    for (const port of service.ports) {
      for (const operation of port.operations) {
        const short = !taken.has(operation.name);
        taken.add(operation.name);
        result.push({
          service: name,
          port,
          operation,
          path: short
            ? `${basePath}/${name}/${operation.name}`
            : `${basePath}/${name}/${port.name}/${operation.name}`,
          operationId: `${name}.${port.name}.${operation.name}`,
        });
      }
    }
  }
  return result;
}
