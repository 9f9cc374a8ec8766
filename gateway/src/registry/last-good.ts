import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RegistryVersion } from './registry-client.ts';

/**
 * The last supergraph version this gateway loaded, kept on disk so that a restart while the
 * registry is down still serves (`SUPERGRAPH_LAST_GOOD_PATH`). Written only after a version
 * loaded, and atomically (a temporary file renamed over the old one): a crash mid-write leaves
 * the previous copy, never half a file.
 */
export async function saveLastGood(path: string, version: RegistryVersion): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(
    temporary,
    JSON.stringify({
      version: version.version,
      savedAt: new Date().toISOString(),
      sdl: version.sdl,
    }),
  );
  await rename(temporary, path);
}

/** The copy {@link saveLastGood} kept, or undefined when there is none (or it is unreadable). */
export async function readLastGood(path: string): Promise<RegistryVersion | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as { version?: unknown; sdl?: unknown };
    return typeof parsed.version === 'string' && typeof parsed.sdl === 'string'
      ? { version: parsed.version, sdl: parsed.sdl }
      : undefined;
  } catch {
    return undefined;
  }
}
