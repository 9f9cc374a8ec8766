import type { Logger } from '@manifold/platform/logger';
import type { ProxyConfig } from '../config.ts';
import { createSoapService, type SoapService } from './soap-service.ts';

/** Builds every configured service; component names are prefixed only when several share one document. */
export async function loadSoapServices(
  config: ProxyConfig,
  logger: Logger,
): Promise<SoapService[]> {
  const several = config.services.length > 1;
  const services: SoapService[] = [];
  for (const service of config.services) {
    services.push(
      await createSoapService(service, {
        logger,
        ...(several ? { componentPrefix: `${service.name}.` } : {}),
      }),
    );
  }
  return services;
}
