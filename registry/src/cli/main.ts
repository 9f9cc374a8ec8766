#!/usr/bin/env node
// `manifold schema check|publish --subgraph <name> --sdl <file> [--url <routing url>]`: what a
// team runs in its CI. Exit codes CI understands: 0 ok (warnings allowed), 1 the check failed or
// the publish was refused, 2 wrong usage or the registry could not be asked.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CheckReport } from '../checks/check.ts';
import { renderReport } from './report.ts';

const USAGE = `usage: manifold schema check|publish --subgraph <name> --sdl <file> [--url <routing url>]
                      [--force] [--registry <url>] [--json]
  --registry   the registry (default $MANIFOLD_REGISTRY_URL or http://127.0.0.1:4400)
  credentials  $MANIFOLD_REGISTRY_API_KEY (or a file: $MANIFOLD_REGISTRY_API_KEY_FILE), an API key
               with scope registry:publish:<subgraph> (publish) or registry:check (check)
  exit codes   0 ok · 1 check failed / publish refused · 2 usage or connection error
`;

const out = (text: string) => process.stdout.write(text);
const fail = (message: string): never => {
  process.stderr.write(`manifold: ${message}\n`);
  process.exit(2);
};

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        subgraph: { type: 'string' },
        sdl: { type: 'string' },
        url: { type: 'string' },
        registry: { type: 'string' },
        force: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`);
  }
})();

if (values.help) {
  out(USAGE);
  process.exit(0);
}
const [group, command] = positionals;
if (group !== 'schema' || (command !== 'check' && command !== 'publish'))
  fail(`expected "schema check" or "schema publish"\n${USAGE}`);
if (values.subgraph === undefined || values.sdl === undefined)
  fail(`--subgraph and --sdl are required\n${USAGE}`);
const subgraph = values.subgraph as string;
const sdlPath = values.sdl as string;
let sdl = '';
try {
  sdl = readFileSync(sdlPath, 'utf8');
} catch (error) {
  fail(`cannot read --sdl ${sdlPath}: ${(error as Error).message}`);
}
const registry = (
  values.registry ??
  process.env['MANIFOLD_REGISTRY_URL'] ??
  'http://127.0.0.1:4400'
).replace(/\/+$/, '');
const keyFile = process.env['MANIFOLD_REGISTRY_API_KEY_FILE'];
let apiKey = process.env['MANIFOLD_REGISTRY_API_KEY'];
if (!apiKey && keyFile) {
  try {
    apiKey = readFileSync(keyFile, 'utf8').trim();
  } catch (error) {
    fail(`cannot read MANIFOLD_REGISTRY_API_KEY_FILE: ${(error as Error).message}`);
  }
}

let response: Response;
try {
  response = await fetch(`${registry}/subgraphs/${encodeURIComponent(subgraph)}/${command}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    },
    body: JSON.stringify({
      sdl,
      ...(values.url === undefined ? {} : { url: values.url }),
      ...(command === 'publish' ? { force: values.force } : {}),
    }),
    signal: AbortSignal.timeout(60_000),
  });
} catch (error) {
  fail(`cannot reach the registry at ${registry}: ${(error as Error).message}`);
  process.exit(2);
}

const body = (await response.json().catch(() => ({}))) as {
  code?: string;
  detail?: string;
  check?: CheckReport;
  published?: boolean;
  version?: { version: string; forced: boolean } | null;
  errors?: { pointer: string; detail: string }[];
};

if (values.json) out(`${JSON.stringify(body, null, 2)}\n`);

if (response.status === 409 && body.code === 'SCHEMA_CHECK_FAILED' && body.check) {
  if (!values.json)
    out(`${renderReport(body.check)}\nNot published: ${body.detail ?? 'the check failed'}\n`);
  process.exit(1);
}
if (!response.ok) {
  const fields = (body.errors ?? [])
    .map((error) => `\n  ${error.pointer}: ${error.detail}`)
    .join('');
  fail(
    `the registry answered ${response.status} ${body.code ?? ''}: ${body.detail ?? ''}${fields}`,
  );
}

if (command === 'check') {
  const report = body as unknown as CheckReport;
  if (!values.json) out(renderReport(report));
  process.exit(report.ok ? 0 : 1);
}
if (!values.json && body.check) {
  out(renderReport(body.check));
  out(
    body.published
      ? `\nPublished: supergraph version ${body.version?.version ?? '?'}${body.version?.forced ? ' (FORCED despite a failing check)' : ''}\n`
      : `\nNothing to publish: ${subgraph} is unchanged in version ${body.version?.version ?? '?'}\n`,
  );
}
process.exit(0);
