/**
 * The Linux process table as descendants.ts needs it: pid, parent, group, session and start
 * time from /proc/<pid>/stat (read with resource-usage.ts's scanner), and the environment of a
 * process from /proc/<pid>/environ.
 */
import { readFile } from 'node:fs/promises';
import { forEachProcStat, procStatFields } from './resource-usage';

/** The environment variable that carries a spawn's tag (see descendants.ts). */
export const TAG_VARIABLE = 'STIGMER_LOCAL_TAG';

/** One live process: identity (pid + start ticks) and relationships. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Session id: the pid of the process that called setsid. */
  sid: number;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
  start: number;
}

/** Reads the live (non-zombie) process table. */
export type ProcTableReader = () => Promise<ProcInfo[]>;
/** Reads /proc/<pid>/environ; null when unreadable (gone, another user's). */
export type EnvironReader = (pid: number) => Promise<Buffer | null>;

/** One /proc/<pid>/stat line as a ProcInfo; null for zombies and lines that do not parse. */
export function parseProcInfo(pid: number, line: string): ProcInfo | null {
  const f = procStatFields(line);
  if (!f || f[0] === 'Z' || f[0] === 'X') return null;
  const [ppid, pgid, sid, start] = [f[1], f[2], f[3], f[22 - 3]].map(Number) as number[];
  if (![ppid, pgid, sid, start].every((n) => Number.isInteger(n))) return null;
  return { pid, ppid: ppid!, pgid: pgid!, sid: sid!, start: start! };
}

/** The live process table from `procRoot` (one read of each stat file). */
export function procTableReader(procRoot = '/proc'): ProcTableReader {
  return async () => {
    const table: ProcInfo[] = [];
    await forEachProcStat(procRoot, (pid, line) => {
      const info = parseProcInfo(pid, line);
      if (info) table.push(info);
    });
    return table;
  };
}

/** Reads /proc/<pid>/environ, or null. */
export const procEnvironReader: EnvironReader = async (pid) => {
  try {
    return await readFile(`/proc/${pid}/environ`);
  } catch {
    return null;
  }
};

/** Whether an environ block (NUL-separated) holds `TAG_VARIABLE=tag` as a whole entry. */
export function environHasTag(environ: Buffer, tag: string): boolean {
  const needle = Buffer.from(`${TAG_VARIABLE}=${tag}\0`);
  for (let at = environ.indexOf(needle); at >= 0; at = environ.indexOf(needle, at + 1)) {
    if (at === 0 || environ[at - 1] === 0) return true;
  }
  // The last entry may lack its trailing NUL.
  const tail = Buffer.from(`${TAG_VARIABLE}=${tag}`);
  const end = environ.length - tail.length;
  return end >= 0 && environ.subarray(end).equals(tail) && (end === 0 || environ[end - 1] === 0);
}
