import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// Test helpers that make a journal really unwritable (no fake fs). chmod does not stop a write
// through a descriptor that is already open (the journal keeps one) and does not stop root at
// all, so as root the immutable flag is used (ext4, xfs, btrfs: writes through an open
// descriptor then fail with EPERM), and a tiny tmpfs gives a real ENOSPC. Without root
// neither is possible: the tests that need them are skipped and say why.

const run = promisify(execFile);

/** Why a real outage cannot be made here, or null when it can. */
export type OutageSupport = string | null;

/** chattr +i / -i on each path; throws when the tool or the file system refuses. */
async function chattr(flag: '+i' | '-i', paths: string[]): Promise<void> {
  if (paths.length > 0) await run('chattr', [flag, ...paths]);
}

/** Makes every file in `dir` and `dir` itself immutable; `restore()` undoes it. */
export async function makeImmutable(dir: string): Promise<{ restore(): Promise<void> }> {
  const files = (await readdir(dir)).map((f) => path.join(dir, f));
  await chattr('+i', [...files, dir]);
  return { restore: () => chattr('-i', [dir, ...files]) };
}

/** Probes (in a temp dir next to the tests' ones) whether makeImmutable stops writes here. */
export async function immutableSupport(): Promise<OutageSupport> {
  if (process.getuid?.() !== 0) return 'needs root: chmod does not stop writes through an open fd';
  const dir = await mkdtemp(path.join(tmpdir(), 'stigmer-immutable-probe-'));
  try {
    const file = path.join(dir, 'probe');
    await writeFile(file, 'x');
    const h = await open(file, 'a');
    try {
      const undo = await makeImmutable(dir);
      try {
        await h.writeFile('y');
        return 'chattr +i did not stop a write on this file system';
      } catch {
        return null;
      } finally {
        await undo.restore();
      }
    } finally {
      await h.close();
    }
  } catch (err) {
    return `chattr +i is not available here: ${(err as Error).message}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A tmpfs of `kib` KiB mounted at a fresh temp dir (root only); `unmount()` removes it. */
export async function tinyDisk(kib: number): Promise<{ dir: string; unmount(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'stigmer-tiny-disk-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0700`, 'tmpfs', dir]);
  return {
    dir,
    unmount: async () => {
      await run('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Whether tinyDisk works here (root with mount rights). */
export async function tinyDiskSupport(): Promise<OutageSupport> {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  try {
    const disk = await tinyDisk(64);
    await disk.unmount();
    return null;
  } catch (err) {
    return `cannot mount a tmpfs here: ${(err as Error).message}`;
  }
}

/** Fills the file system holding `dir` with a filler file until ENOSPC; returns its path. */
export async function fillDisk(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const filler = path.join(dir, 'filler.bin');
  const h = await open(filler, 'w');
  try {
    const chunk = Buffer.alloc(4096, 0x41);
    for (;;) {
      try {
        await h.write(chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw err;
      }
    }
    // Whatever bytes still fit (a partial page) go too, so the next append is cut short.
    for (const size of [1024, 256, 64, 16, 1]) {
      for (;;) {
        try {
          const { bytesWritten } = await h.write(Buffer.alloc(size, 0x41));
          if (bytesWritten < size) break;
        } catch {
          break;
        }
      }
    }
  } finally {
    await h.close();
  }
  return filler;
}
