import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** Longest Unix socket path the kernels accept (sun_path: 108 bytes on Linux, 104 on macOS). */
const MAX_UNIX_PATH = 103;

/**
 * Where the CLI reaches the app running on a data dir: <userData>/run/cli.sock (0600 in a 0700
 * dir), or on Windows a named pipe named after a hash of the data dir (pipes have no folder).
 */
export function cliSocketPath(userDataDir: string, platform = process.platform): string {
  if (platform === 'win32') {
    const hash = createHash('sha256').update(userDataDir.toLowerCase()).digest('hex');
    return `\\\\.\\pipe\\stigmer-local-${hash.slice(0, 16)}`;
  }
  return join(userDataDir, 'run', 'cli.sock');
}

/** Why a socket path cannot be used (too long for the OS), or null when it can. */
export function socketPathProblem(path: string, platform = process.platform): string | null {
  if (platform === 'win32' || Buffer.byteLength(path) <= MAX_UNIX_PATH) return null;
  return (
    `The command-line socket path ${path} is ${Buffer.byteLength(path)} bytes, over the ` +
    `${MAX_UNIX_PATH} a Unix socket may have. Use a shorter data folder (--user-data-dir).`
  );
}
