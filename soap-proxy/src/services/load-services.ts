import { ConfigError } from '@manifold/platform/config';
import type { DeadLetterRecorder } from '@manifold/platform/dead-letters';
import type { Logger } from '@manifold/platform/logging';
import type { ProxyConfig } from '../config.ts';
import { createSoapService, type SoapService } from './soap-service.ts';

/**
 * Builds every configured service; component names are prefixed only when several share one
 * document. A WSDL that cannot be loaded or a config naming operations its WSDL lacks is an
 * operator's problem: all of them, for every service, come back in one ConfigError.
 */
export async function loadSoapServices(
  config: ProxyConfig,
  logger: Logger,
  deadLetters?: DeadLetterRecorder,
): Promise<SoapService[]> {
  const several = config.services.length > 1;
  const problems: string[] = [];
  const services: SoapService[] = [];
  for (const [index, service] of config.services.entries()) {
    try {
      services.push(
        await createSoapService(service, {
          logger,
          deadLetters,
          ...(several ? { componentPrefix: `${service.name ?? `service${index + 1}`}.` } : {}),
        }),
      );
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems);
      else
        problems.push(
          `${service.name ?? service.wsdl}: cannot use ${service.wsdl}: ${(error as Error).message}`,
        );
    }
  }
  // Names settle only once the WSDLs are read (the naming rule): two services may not share one.
  const seen = new Set<string>();
  for (const service of services) {
    if (seen.has(service.config.name))
      problems.push(`${service.config.name}: another service is already called so; set "name"`);
    seen.add(service.config.name);
  }
  if (problems.length > 0) {
    await Promise.all(services.map((built) => built.close()));
    throw new ConfigError(problems);
  }
  return services;
}
