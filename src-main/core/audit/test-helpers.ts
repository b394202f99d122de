import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A fresh temp dir for one test; remove it with removeTempDir. */
export function makeTempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'stigmer-audit-'));
}

/** Remove a dir made by makeTempDir. */
export function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** The lines of a journal file (without the final empty piece). */
export async function readLines(file: string): Promise<string[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Write lines back, each with its newline. */
export async function writeLines(file: string, lines: readonly string[]): Promise<void> {
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
}

/** A settable clock for `now`. */
export function fakeClock(startIso: string): { now: () => Date; set: (iso: string) => void } {
  let t = new Date(startIso);
  return {
    now: () => new Date(t),
    set: (iso: string) => {
      t = new Date(iso);
    },
  };
}
