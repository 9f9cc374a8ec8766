// soap-proxy command line, usable without a config file or a running service:
//   node soap-proxy/src/cli.ts openapi <wsdl> [--service <name>]            print the OpenAPI 3.1 document
//   node soap-proxy/src/cli.ts serve --wsdl <wsdl> [--endpoint <url>] [--port <n>] [--service <name>]
//                                                                             serve one WSDL with defaults
import { parseArgs } from 'node:util';
import { createCache } from '@manifold/platform/cache';
import { createLogger } from '@manifold/platform/logging';
import { runService } from '@manifold/platform/service';
import { createApp } from './app.ts';
import { ProxyConfig } from './config.ts';
import { buildOpenApi } from './openapi/document.ts';
import { loadSoapServices } from './services/load-services.ts';
import { loadWsdlDocuments } from './wsdl/load.ts';
import { describeWsdl } from './wsdl/model.ts';

const USAGE = `usage:
  node soap-proxy/src/cli.ts openapi <wsdl> [--service <name>]
      print the OpenAPI 3.1 document generated from a WSDL (path or URL)
  node soap-proxy/src/cli.ts serve --wsdl <wsdl> [--endpoint <url>] [--port <n>] [--service <name>]
      serve its REST API on 127.0.0.1 (default port 4100) with defaults: every operation POST-only,
      not retried, not cached — configure a services file to mark operations safe or idempotent`;

const OPTIONS = {
  service: { type: 'string' },
  wsdl: { type: 'string' },
  endpoint: { type: 'string' },
  port: { type: 'string' },
} as const;

async function openapi(wsdl: string, service: string | undefined): Promise<number> {
  const { document } = buildOpenApi(
    describeWsdl(await loadWsdlDocuments(wsdl)),
    service === undefined ? {} : { serviceName: service },
  );
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  return 0;
}

async function serve(
  wsdl: string,
  {
    endpoint,
    port,
    service,
  }: { endpoint?: string | undefined; port?: string | undefined; service?: string | undefined },
): Promise<number> {
  const logger = createLogger({ service: 'soap-proxy', level: 'info' });
  const config = ProxyConfig.parse({
    // No name unless given: the naming rule (openapi/service-name.ts) then picks the one
    // `openapi` prints, so the documented paths are the served ones.
    services: [
      {
        wsdl,
        ...(service === undefined ? {} : { name: service }),
        ...(endpoint === undefined ? {} : { endpoint }),
      },
    ],
  });
  const services = await loadSoapServices(config, logger);
  const cache = createCache({ namespace: 'soap-proxy', logger });
  const { url } = await runService({
    name: 'soap-proxy',
    handler: createApp({ services, cache, logger, production: false }),
    port: Number(port ?? 4100),
    host: '127.0.0.1',
    logger,
    onClose: async () => {
      await Promise.all(services.map((one) => one.close()));
    },
  });
  process.stderr.write(
    `serving ${wsdl}: API ${url}/api/v1/${services[0]?.config.name ?? ''}/…, docs ${url}/docs\n`,
  );
  return -1; // keep running
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: OPTIONS,
  });
  const [command, positionalWsdl] = positionals;
  const wsdl = values.wsdl ?? positionalWsdl;
  if (command === 'openapi' && wsdl !== undefined) return openapi(wsdl, values.service);
  if (command === 'serve' && wsdl !== undefined) return serve(wsdl, values);
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

try {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exitCode = code;
} catch (error) {
  // A bad WSDL or argument is the user's input, not our bug: one line saying what is wrong.
  process.stderr.write(`soap-proxy: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
