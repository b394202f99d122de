import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { writeFileDurably } from '../durable-file';

/** Hex SHA-256 of a file's bytes: what "the file has not changed since the scan" compares. */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * `bytes` without the given 1-based line ranges (each line with its own "\n"). Everything else
 * is copied byte for byte, so comments, blank lines, CRLF endings and a missing final newline
 * stay as they were. Works on bytes, not text, so a file that is not valid UTF-8 elsewhere is
 * not re-encoded.
 */
export function withoutLines(bytes: Buffer, ranges: readonly [number, number][]): Buffer {
  const drop = (line: number) => ranges.some(([a, b]) => line >= a && line <= b);
  const kept: Buffer[] = [];
  let line = 1;
  let start = 0;
  while (start < bytes.length) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl === -1 ? bytes.length : nl + 1;
    if (!drop(line)) kept.push(bytes.subarray(start, end));
    start = end;
    line++;
  }
  return Buffer.concat(kept);
}

/**
 * Replaces `path` with `next` as a transaction: a temp file beside it with the same mode,
 * fsync, then rename, but only if the file still hashes to `expected` just before the rename
 * (another program may have saved it meanwhile). On any failure the original is untouched.
 */
export async function replaceFileIfUnchanged(
  link: string,
  next: Buffer,
  expected: string,
): Promise<void> {
  // A config kept in a dotfiles repo is often a symlink: replace the file, keep the link.
  const path = await realpath(link);
  const mode = (await stat(path)).mode & 0o7777;
  await writeFileDurably(path, next, mode, async () => {
    if (sha256(await readFile(path)) !== expected) throw new FileChangedError(link);
  });
}

/** The file is not the one the user saw in the scan. */
export class FileChangedError extends Error {
  constructor(readonly path: string) {
    super(
      `${path} changed after it was scanned (another program saved it). Nothing was taken out of it. Scan again and check the keys it lists.`,
    );
  }
}
