import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { readEnv } from './base-env';

/** File extensions that are run as `node <script>` instead of being executed directly. */
export const NODE_SCRIPT_EXTENSIONS = ['.js', '.mjs', '.cjs'];

/**
 * Entry files looked for, in order, when a path points at a directory (a Node package such as
 * the Stigmer server built into `dist/`, or the slim artifact with `main.js` at its root).
 */
export const DIRECTORY_ENTRIES = ['dist/main.js', 'main.js'];

/** What a probed path turned out to be. */
export type ProbeResult =
  | { kind: 'executable'; path: string }
  | { kind: 'script'; path: string }
  | { kind: 'missing'; reason: string };

/** Expands a leading `~` to `homeDir` (users write `~/bin/x` in settings and the stack file). */
export function expandHome(target: string, homeDir: string): string {
  if (target === '~') return homeDir;
  if (target.startsWith('~/') || target.startsWith('~\\'))
    return path.join(homeDir, target.slice(2));
  return target;
}

/** True when `file` ends with a Node script extension. */
export function isNodeScript(file: string): boolean {
  return NODE_SCRIPT_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

async function canAccess(file: string, mode: number): Promise<boolean> {
  try {
    await access(file, mode);
    return true;
  } catch {
    return false;
  }
}

async function probeFile(file: string): Promise<ProbeResult> {
  // Follow symlinks so an npm bin link (to main.js) is known as a Node script: it then runs with
  // the Node chosen for it (node-program.ts), not whichever `node` its shebang finds on PATH.
  const real = await realpath(file).catch(() => file);
  if (isNodeScript(real)) {
    return (await canAccess(real, constants.R_OK))
      ? { kind: 'script', path: real }
      : { kind: 'missing', reason: 'not readable' };
  }
  return (await canAccess(file, constants.X_OK))
    ? { kind: 'executable', path: file }
    : { kind: 'missing', reason: 'not executable' };
}

/** Classifies `target`: an executable, a Node script (directly or as a directory entry), or missing. */
export async function probePath(target: string): Promise<ProbeResult> {
  const info = await stat(target).catch(() => null);
  if (!info) return { kind: 'missing', reason: 'not found' };
  if (info.isDirectory()) {
    for (const entry of DIRECTORY_ENTRIES) {
      const candidate = path.join(target, entry);
      const entryInfo = await stat(candidate).catch(() => null);
      if (entryInfo?.isFile()) return probeFile(candidate);
    }
    return { kind: 'missing', reason: `directory without ${DIRECTORY_ENTRIES.join(' or ')}` };
  }
  return probeFile(target);
}

/** Candidate file names for `name` on `platform` (Windows tries each PATHEXT extension). */
export function executableNames(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): string[] {
  if (platform !== 'win32' || path.extname(name) !== '') return [name];
  const pathExt = readEnv(env, 'PATHEXT', platform) ?? '.COM;.EXE;.BAT;.CMD';
  const exts = pathExt
    .split(';')
    .map((ext) => ext.trim().toLowerCase())
    .filter((ext) => ext !== '');
  return [...exts.map((ext) => name + ext), name];
}

/** The directories listed in the env's PATH, in order, without empties or duplicates. */
export function pathDirectories(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  const raw = readEnv(env, 'PATH', platform) ?? '';
  const delimiter = platform === 'win32' ? ';' : ':';
  const dirs = raw.split(delimiter).filter((dir) => dir !== '' && path.isAbsolute(dir));
  return [...new Set(dirs)];
}

/** Result of looking a bare command name up on PATH. */
export interface PathLookup {
  found: ProbeResult | null;
  /** Every candidate looked at, as `PATH: <file> (<outcome>)`. */
  searched: string[];
}

/** Looks `name` up in each PATH directory of `env`, stopping at the first usable hit. */
export async function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): Promise<PathLookup> {
  const searched: string[] = [];
  const dirs = pathDirectories(env, platform);
  if (dirs.length === 0) return { found: null, searched: ['PATH: (empty)'] };
  for (const dir of dirs) {
    for (const file of executableNames(name, env, platform)) {
      const candidate = path.join(dir, file);
      const result = await probePath(candidate);
      if (result.kind !== 'missing') {
        searched.push(`PATH: ${candidate} (found)`);
        return { found: result, searched };
      }
      // Only list misses once per directory for the bare name, to keep the list readable.
      if (file === name) searched.push(`PATH: ${candidate} (${result.reason})`);
    }
  }
  return { found: null, searched };
}
