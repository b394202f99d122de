import { chmod, lstat, mkdir, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/*
 * Everything Stigmer Local keeps on disk (settings, key metadata, the fingerprint key, pid
 * files, service logs, the audit journal) is the user's alone: folders 0700, files 0600, so
 * another account on the machine reads none of it. A mode passed to mkdir/open is masked by the
 * umask, which only ever removes bits, so creating with these modes is never wider; the chmod
 * afterwards also makes it exact under an unusual umask (0o277 would leave a folder 0500) and
 * tightens what an older version left behind. Windows has no such modes: chmod is skipped.
 */

/** Mode of every file the app writes: read and write for its owner only. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of every folder the app keeps files in. */
export const PRIVATE_DIR_MODE = 0o700;

const noModes = (): boolean => process.platform === 'win32';

/**
 * Creates `dir` (and missing parents) owner-only, sets it to exactly 0700, and takes group and
 * other bits off the regular files directly inside (files left by an older version). Owner bits
 * of those files are kept, so a script the user keeps there stays executable.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  if (noModes()) {
    await mkdir(dir, { recursive: true });
    return;
  }
  await makeDirs(path.resolve(dir));
  await chmod(dir, PRIVATE_DIR_MODE);
  const entries = await readdir(dir, { withFileTypes: true });
  await Promise.all(
    entries
      // Dirent types come from lstat: symlinks (and what they point at) are left alone.
      .filter((entry) => entry.isFile())
      .map((entry) => tightenFile(path.join(dir, entry.name))),
  );
}

/**
 * mkdir -p, one level at a time so that each folder it creates is chmod-ed to 0700: with
 * `recursive` a parent made under a umask like 0o277 would be 0500 and the next level would fail.
 */
async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = dir; ; at = path.dirname(at)) {
    const info = await lstat(at).catch(() => null);
    if (info !== null || path.dirname(at) === at) break;
    missing.unshift(at);
  }
  for (const at of missing) {
    try {
      await mkdir(at, { mode: PRIVATE_DIR_MODE });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      continue; // made meanwhile by someone else (another writer of ours): leave its mode
    }
    await chmod(at, PRIVATE_DIR_MODE);
  }
}

/** Takes group and other permission bits off one file; a file gone meanwhile is fine. */
async function tightenFile(file: string): Promise<void> {
  const info = await lstat(file).catch(() => null);
  if (info === null || !info.isFile() || (info.mode & 0o077) === 0) return;
  await chmod(file, info.mode & 0o700).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Makes a file the app just opened exactly 0600 whatever the umask (no-op on Windows). */
export async function makeHandlePrivate(handle: FileHandle): Promise<void> {
  if (noModes()) return;
  await handle.chmod(PRIVATE_FILE_MODE);
}
