import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPhpServer, type PhpServer } from '@manifold/platform/testing';
import { freePort, REPO_ROOT, startService, type ServiceProcess } from '../../support/processes.ts';
import { e2eAccess } from '../../support/access.ts';
import { SUBGRAPH_NAMES, startStack, type Stack } from '../../support/stack.ts';
import { startSupplierChain } from '../../support/supplier-chain.ts';

/** Every Node service of Manifold, as the launcher runs them, and the two PHP upstreams. */
export interface ObservedStack {
  stack: Stack;
  soapProxy: ServiceProcess;
  legacyAdapter: ServiceProcess;
  /** The ops console, watching every other Node service. */
  console: ServiceProcess;
  supplier: PhpServer;
  monolith: PhpServer;
  /** Every Node service by name (the names `npm start` gives them), the console included. */
  services: Record<string, ServiceProcess>;
  /** Headers of a caller every front door lets read (an API key from the stack's access file). */
  credentials: Record<string, string>;
  stop: () => Promise<void>;
}

/**
 * Starts the stack with telemetry switched on as an operator would: spans to `otlpEndpoint` over
 * OTLP/HTTP (JSON encoding), every span sampled, exported within 200 ms.
 */
export async function startObservedStack({
  otlpEndpoint,
  env = {},
}: {
  otlpEndpoint: string;
  /** Extra variables for every Node service. */
  env?: Record<string, string>;
}): Promise<ObservedStack> {
  const telemetry = {
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    ...env,
  };
  const scratch = mkdtempSync(join(tmpdir(), 'observed-stack-'));
  const stopping: (() => Promise<unknown>)[] = [];
  try {
    const supplier = await startPhpServer({
      router: join(REPO_ROOT, 'upstreams/soap-supplier/router.php'),
      env: { SUPPLIER_DATABASE_PATH: join(scratch, 'supplier.sqlite') },
    });
    stopping.push(supplier.stop);
    const monolith = await startPhpServer({
      router: join(REPO_ROOT, 'upstreams/php-monolith/router.php'),
      env: {
        LEGACY_DATABASE_PATH: join(scratch, 'legacy.sqlite'),
        LEGACY_SESSION_PATH: join(scratch, 'sessions'),
      },
    });
    stopping.push(monolith.stop);
    const access = e2eAccess();
    // soap-proxy behind the identity provider: products calls it with client credentials.
    const chain = await startSupplierChain(supplier.url, {
      ...telemetry,
      ACCESS_FILE: access.ACCESS_FILE,
    });
    stopping.push(chain.stop);
    const soapProxy = chain.proxy;
    const legacyAdapter = await startService({
      name: 'legacy-rest-adapter',
      entry: 'legacy-rest-adapter/src/main.ts',
      port: await freePort(),
      env: { ...telemetry, LEGACY_URL: monolith.url, ACCESS_FILE: access.ACCESS_FILE },
      readyPath: '/healthz',
    });
    stopping.push(legacyAdapter.stop);
    const stack = await startStack({
      gatewayEnv: { ...telemetry, ACCESS_FILE: access.ACCESS_FILE },
      subgraphEnv: Object.fromEntries(
        SUBGRAPH_NAMES.map((name) => [
          name,
          name === 'products' ? { ...telemetry, ...chain.productsEnv } : telemetry,
        ]),
      ),
    });
    stopping.push(stack.stop);
    const watched = {
      gateway: stack.gateway,
      ...stack.subgraphs,
      'soap-proxy': soapProxy,
      'legacy-rest-adapter': legacyAdapter,
    };
    const console = await startService({
      name: 'console',
      entry: 'console/src/main.ts',
      port: await freePort(),
      env: {
        ...telemetry,
        CONSOLE_TARGETS: Object.entries(watched)
          .map(([name, service]) => `${name}=${service.url}`)
          .join(','),
        CONSOLE_REFRESH_MS: '1000',
      },
      readyPath: '/healthz',
    });
    stopping.push(console.stop);
    return {
      stack,
      soapProxy,
      legacyAdapter,
      supplier,
      monolith,
      console,
      services: { ...watched, console },
      credentials: { 'x-api-key': access.key },
      stop: async () => {
        for (const stop of stopping.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stopping.reverse()) await stop();
    throw error;
  }
}
