import { API_KEY_HEADER, type Secret } from '@manifold/platform/auth';

/** One version of the supergraph as the registry serves it (`GET /supergraph`, registry/CONTRACT.md). */
export interface RegistryVersion {
  version: string;
  sdl: string;
}

export type SupergraphAnswer =
  | { kind: 'version'; version: RegistryVersion }
  /** `304`: the version the gateway named is still current (after the long-poll wait, if any). */
  | { kind: 'unchanged' };

export interface FetchSupergraphOptions {
  /** The registry's base URL. */
  registryUrl: string;
  apiKey?: Secret | undefined;
  /** The version the gateway has (sent as `If-None-Match`); unset: answer now with the current one. */
  known?: string | undefined;
  /** With `known`: how long the registry may hold the request until a new version exists. @default 0 */
  waitSeconds?: number;
  /** Gives up on the request (shutdown, or a deadline). */
  signal?: AbortSignal;
}

/** The registry answered something other than a version or 304 (it is down, or refuses us). */
export class RegistryUnavailableError extends Error {
  override name = 'RegistryUnavailableError';
}

/** `GET /supergraph`, conditional and long-polled (registry/CONTRACT.md, "Supergraph delivery"). */
export async function fetchSupergraph({
  registryUrl,
  apiKey,
  known,
  waitSeconds = 0,
  signal,
}: FetchSupergraphOptions): Promise<SupergraphAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (apiKey) headers[API_KEY_HEADER] = apiKey.value();
  if (known !== undefined) {
    headers['if-none-match'] = `"${known}"`;
    if (waitSeconds > 0) headers['prefer'] = `wait=${waitSeconds}`;
  }
  const url = new URL('supergraph', registryUrl.endsWith('/') ? registryUrl : `${registryUrl}/`);
  let response: Response;
  try {
    response = await fetch(url, { headers, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new RegistryUnavailableError(`the registry at ${registryUrl} cannot be reached`, {
      cause: error,
    });
  }
  if (response.status === 304) {
    await response.body?.cancel();
    return { kind: 'unchanged' };
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new RegistryUnavailableError(
      `the registry at ${registryUrl} answered GET /supergraph with HTTP ${response.status}`,
    );
  }
  const body = (await response.json()) as { version?: unknown; sdl?: unknown };
  if (typeof body.version !== 'string' || typeof body.sdl !== 'string')
    throw new RegistryUnavailableError(
      `the registry at ${registryUrl} answered GET /supergraph without a version and its SDL`,
    );
  return { kind: 'version', version: { version: body.version, sdl: body.sdl } };
}
