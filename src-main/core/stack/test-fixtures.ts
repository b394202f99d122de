import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DiscoveredBinary } from './discovery';

/** A temp dir per test, removed by `cleanup()` (test helper). */
export class TempDirs {
  private readonly dirs: string[] = [];

  /** Creates a fresh temp dir. */
  async make(prefix = 'stigmer-stack-'): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Removes every dir made so far. */
  async cleanup(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

/** Writes a real executable shell script at `file` (mode 755) and returns its path. */
export async function makeExecutable(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, '#!/bin/sh\nexit 0\n');
  await chmod(file, 0o755);
  return file;
}

/** Writes a Node script at `file` and returns its path. */
export async function makeScript(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, 'console.log("hi");\n');
  return file;
}

/** A found binary for tests of the default stack. */
export function foundBinary(command: string, args: string[] = []): DiscoveredBinary {
  return { command, args, env: {}, searched: [] };
}
