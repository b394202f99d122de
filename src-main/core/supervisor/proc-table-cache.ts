/**
 * A /proc table for the periodic descendant scan that reads only what is new: one listing of
 * /proc per scan, and the stat file of a pid only the first time it is listed. The fields the
 * scan links by (parent, group, session, start time) are fixed at fork or change only towards
 * what a first sighting already recorded (a daemon's setsid or reparenting happens after it was
 * seen as ours), so an idle stack costs one directory read per scan instead of reading every
 * process on the machine. The scan right before a stop still reads everything afresh.
 */
import { readdir } from 'node:fs/promises';
import { parseProcInfo, type ProcInfo, type ProcTableReader } from './proc-table';
import { forEachProcStat } from './resource-usage';

/** A table reader that keeps what it read and reads the stat file of new pids only. */
export function cachedProcTableReader(procRoot = '/proc'): ProcTableReader {
  const known = new Map<number, ProcInfo | null>();
  return async () => {
    let entries: string[];
    try {
      entries = await readdir(procRoot);
    } catch (err) {
      throw new Error(`Cannot list processes in ${procRoot}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const listed = new Set<number>();
    const fresh: number[] = [];
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      listed.add(pid);
      if (!known.has(pid)) fresh.push(pid);
    }
    for (const pid of known.keys()) if (!listed.has(pid)) known.delete(pid);
    // A pid listed but gone before its stat was read stays null (a zombie, too): not a link.
    for (const pid of fresh) known.set(pid, null);
    await forEachProcStat(
      procRoot,
      (pid, line) => known.set(pid, parseProcInfo(pid, line)),
      fresh.map(String),
    );
    const table: ProcInfo[] = [];
    for (const info of known.values()) if (info !== null) table.push(info);
    return table;
  };
}
