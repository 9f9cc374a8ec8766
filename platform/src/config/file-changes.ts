import { stat, statSync, type Stats } from 'node:fs';

/** What tells one version of a file from the next (a rename over it changes the inode). */
const versionOf = (stats: Stats | undefined) =>
  stats === undefined
    ? 'missing'
    : `${String(stats.mtimeMs)}:${String(stats.size)}:${String(stats.ino)}`;

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Calls `onChange` once for each new version of the file at `path` (its mtime, size or inode;
 * gone counts as one), polled every `intervalMs`. Call it before the first read of the file: the
 * version it starts from is the one seen then, so a write during that read is seen at the next
 * poll. Polling rather than fs.watch: editors and secret mounts replace files by renaming, which
 * inotify watches on the old inode miss. Not fs.watchFile: it compares each stat with its own
 * previous one, the first taken a moment after it starts — a file written between a caller's
 * first read and that stat was missed until it changed again (seen as a flaky test under CI load).
 */
export function pollFileChanges(
  path: string,
  intervalMs: number,
  onChange: () => void,
): { close: () => void } {
  let version = versionOf(statOrUndefined(path));
  let polling = false;
  const timer = setInterval(() => {
    if (polling) return;
    polling = true;
    stat(path, (error, stats) => {
      polling = false;
      const now = versionOf(error ? undefined : stats);
      if (now === version) return;
      version = now;
      onChange();
    });
  }, intervalMs);
  // Like a persistent: false watcher, it keeps no process alive.
  timer.unref();
  return {
    close: () => {
      clearInterval(timer);
    },
  };
}

/** What became of a new version of a followed file: loaded and now in force, or refused. */
export type FileReload<T> = { loaded: T } | { error: unknown };

/**
 * `load(path)` now — what it throws is thrown: a bad file at start-up is its caller's to refuse —
 * and again at each new version of the file (pollFileChanges, started before this first read). A
 * version that fails to load is told and ignored: the last good one stays in force. Every outcome
 * after the first is told to `reloaded`.
 */
export function followFile<T>(
  path: string,
  intervalMs: number,
  load: (path: string) => T,
  reloaded: (outcome: FileReload<T>) => void,
): { current: () => T; close: () => void } {
  const changes = pollFileChanges(path, intervalMs, () => {
    try {
      current = load(path);
    } catch (error) {
      reloaded({ error });
      return;
    }
    reloaded({ loaded: current });
  });
  let current: T;
  try {
    current = load(path);
  } catch (error) {
    changes.close();
    throw error;
  }
  return { current: () => current, close: changes.close };
}
