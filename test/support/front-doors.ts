import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

/** One answer from a front door, as an attack or a control sees it. */
export interface DoorAnswer {
  status: number;
  /** The catalogue code: problem+json `code`, or the first GraphQL error's `extensions.code`. */
  code: string | undefined;
  challenge: string | undefined;
}

export interface FrontDoor {
  name: string;
  /** Calls the door's protected resource with these headers (and this client certificate). */
  call(headers: Record<string, string>, certificate?: ClientCertificate): Promise<DoorAnswer>;
}

export interface ClientCertificate {
  cert: string;
  key: string;
}

/** A door answering over HTTPS whose certificate our test CA issued. */
export function httpsDoor(
  name: string,
  {
    url,
    method,
    body,
    path,
    caPath,
  }: { url: string; method: 'GET' | 'POST'; body?: unknown; path: string; caPath: string },
): FrontDoor {
  const ca = readFileSync(caPath, 'utf8');
  const agents = new Map<string, Agent>();
  const agentFor = (certificate?: ClientCertificate) => {
    const key = certificate?.cert ?? '';
    let agent = agents.get(key);
    if (!agent) {
      agent = new Agent({ connect: { ca, ...(certificate ?? {}) } });
      agents.set(key, agent);
    }
    return agent;
  };
  return {
    name,
    call: async (headers, certificate) => {
      const response = await request(`${url}${path}`, {
        method,
        dispatcher: agentFor(certificate),
        headers: { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.body.text();
      return answerOf(response.statusCode, text, response.headers['www-authenticate']);
    },
  };
}

/** A door over plain HTTP. */
export function httpDoor(
  name: string,
  {
    url,
    method,
    body,
    path,
  }: { url: string; method: 'GET' | 'POST'; body?: unknown; path: string },
): FrontDoor {
  return {
    name,
    call: async (headers) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return answerOf(
        response.status,
        await response.text(),
        response.headers.get('www-authenticate'),
      );
    },
  };
}

function answerOf(status: number, text: string, challenge: unknown): DoorAnswer {
  let body: { code?: string; errors?: { extensions?: { code?: string } }[] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: no code
  }
  return {
    status,
    code: body.code ?? body.errors?.[0]?.extensions?.code,
    challenge: typeof challenge === 'string' ? challenge : undefined,
  };
}
