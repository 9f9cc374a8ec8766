import { pbkdf2 } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pollFileChanges } from './file-changes.ts';

describe('pollFileChanges', () => {
  const dir = mkdtempSync(join(tmpdir(), 'file-changes-'));
  const path = join(dir, 'watched.json');
  const pollers: { close: () => void }[] = [];
  afterEach(() => {
    for (const poller of pollers.splice(0)) poller.close();
  });

  it('sees a write made right after it starts, before its first poll (the version it starts from is the one seen then)', async () => {
    writeFileSync(path, 'one');
    const onChange = vi.fn();
    // libuv's thread pool busy (as under load): a stat the poller sends there now runs only after
    // the write below. fs.watchFile took its first version so, missed this write, and never called.
    const busy = Array.from(
      { length: 8 },
      () =>
        new Promise((resolve) => {
          pbkdf2('x', 'y', 200_000, 32, 'sha256', resolve);
        }),
    );
    pollers.push(pollFileChanges(path, 20, onChange));
    writeFileSync(path, 'two, longer');
    await Promise.all(busy);
    await vi.waitFor(
      () => {
        expect(onChange).toHaveBeenCalledTimes(1);
      },
      { timeout: 5_000 },
    );
  });

  it('tells each version once: replaced by a rename, gone, back', async () => {
    writeFileSync(path, 'one');
    const onChange = vi.fn();
    pollers.push(pollFileChanges(path, 20, onChange));
    // Same size, another inode: as an editor or a secret mount replaces a file.
    writeFileSync(`${path}.next`, 'two');
    renameSync(`${path}.next`, path);
    await vi.waitFor(() => {
      expect(onChange).toHaveBeenCalledTimes(1);
    });
    rmSync(path);
    await vi.waitFor(() => {
      expect(onChange).toHaveBeenCalledTimes(2);
    });
    writeFileSync(path, 'three');
    await vi.waitFor(() => {
      expect(onChange.mock.calls.length).toBeGreaterThanOrEqual(3);
    });
    // Gone was one version, not one call per poll while it lasted.
    expect(onChange).toHaveBeenCalledTimes(3);
  });
});
