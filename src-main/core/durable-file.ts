import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/**
 * Replaces `path` with `text` so that a reader (or the next launch, even after a power cut)
 * sees either the old file or the new one, never a mix: a temp file with a name of its own
 * (concurrent writers never share one), fsync, rename over the target, fsync of the folder.
 * On any failure before the rename the target is untouched and the temp file is removed.
 */
export async function writeFileDurably(
  path: string,
  text: string | Uint8Array,
  mode = 0o600,
  /** Runs after the temp file is synced, just before the rename; throwing cancels the write. */
  beforeRename?: () => Promise<void>,
): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  // 'wx': never reuse or follow something already at the temp name (it is not ours).
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      // The umask may have narrowed `mode` in odd ways; the file gets exactly `mode`.
      if (process.platform !== 'win32') await handle.chmod(mode);
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await beforeRename?.();
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncFolder(dirname(path));
}

/**
 * Makes the rename itself durable. Best effort: Windows cannot open a folder for fsync, and
 * once the rename is done the new content is what every reader sees, so a failure here must
 * not be reported as "not saved" (memory would then disagree with the file).
 */
async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // See above: the file is already in place.
  }
}

/** Plain words for the usual reasons a write fails, and what the user can do about each. */
const WRITE_FAILURES: Record<string, { why: string; todo: string }> = {
  ENOSPC: { why: 'the disk is full', todo: 'free some space and try again' },
  EDQUOT: { why: 'your disk quota is used up', todo: 'free some space and try again' },
  EROFS: {
    why: 'the disk is read-only',
    todo: 'make the folder writable (or remount the disk) and try again',
  },
  EACCES: {
    why: 'permission was denied',
    todo: 'check that you own the folder and can write to it, then try again',
  },
  EPERM: {
    why: 'the system did not allow it',
    todo: 'check that the file is not locked or immutable, then try again',
  },
  EISDIR: { why: 'a folder is in the way', todo: 'remove or rename that folder and try again' },
  ENOTEMPTY: { why: 'a folder is in the way', todo: 'remove or rename that folder and try again' },
  ENOTDIR: { why: 'a file is in the way of a folder', todo: 'remove it and try again' },
  EEXIST: { why: 'a leftover temp file is in the way', todo: 'try again' },
  EIO: { why: 'the disk reported an input/output error', todo: 'check the disk and try again' },
  EMFILE: { why: 'too many files are open', todo: 'close some programs and try again' },
  ENFILE: { why: 'too many files are open', todo: 'close some programs and try again' },
};

/**
 * "the disk is full (ENOSPC writing keys.json)" and "free some space and try again" for a
 * failed write of `path`; file-system errors never carry file contents, so this is safe to show.
 */
export function describeWriteFailure(error: unknown, path: string): { why: string; todo: string } {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const where = `writing ${basename(path)}`;
  const known = code ? WRITE_FAILURES[code] : undefined;
  if (known) return { why: `${known.why} (${code} ${where})`, todo: known.todo };
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  return {
    why: `${code ? `${code} ` : ''}${where} failed: ${first.slice(0, 200)}`,
    todo: `check the folder ${dirname(path)} and try again`,
  };
}
