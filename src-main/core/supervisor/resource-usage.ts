/**
 * Per-service CPU and memory: sums over every process of a process group (the supervisor makes
 * each service's child the leader of its own group, and its helpers stay in that group).
 *
 * A `GroupReader` takes one reading of cumulative CPU time and resident memory per group; a
 * `UsageSampler` turns successive readings into CPU% over the wall time between them.
 */
import { execa } from 'execa';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultWinRunner, queryProcesses, treeOf, type WinCommandRunner } from './win-process';

/** Usage of one process group, as shown on the dashboard. */
export interface GroupUsage {
  /**
   * CPU use since the previous sample, 100 = one core fully busy (may exceed 100 on several
   * cores). `null` on the first sample of a group: there is no earlier reading to compare with.
   */
  cpuPercent: number | null;
  /** Summed resident set size of the group's processes. */
  rssBytes: number;
  /** Number of live (non-zombie) processes in the group. */
  processes: number;
}

/** One reading of cumulative CPU time (ms) and RSS per process group. */
export interface GroupSample {
  /** user + system CPU time of the group's live processes, summed, in ms. */
  cpuMs: number;
  rssBytes: number;
  processes: number;
  /**
   * The same CPU time per pid. Optional; when present in two successive readings the sampler
   * computes the delta per process, so a helper that exits (taking its CPU time with it) does
   * not make the group's counter go backwards.
   */
  cpuMsByPid?: ReadonlyMap<number, number>;
}

/**
 * Reads the groups `pgids`. Groups without any live process are absent from the result.
 * Never rejects because a process vanished during the scan; rejects with a descriptive Error
 * when the source itself fails (no /proc, no `ps`).
 */
export type GroupReader = (pgids: readonly number[]) => Promise<Map<number, GroupSample>>;

/** Runs a program and resolves with its stdout. */
export type RunCommand = (file: string, args: string[]) => Promise<string>;

const defaultRun: RunCommand = async (file, args) => (await execa(file, args)).stdout;

/** Accumulates one process into `out` if its group was asked for. */
function add(
  out: Map<number, GroupSample & { cpuMsByPid: Map<number, number> }>,
  wanted: ReadonlySet<number>,
  pid: number,
  pgid: number,
  cpuMs: number,
  rssBytes: number,
): void {
  if (!wanted.has(pgid)) return;
  let group = out.get(pgid);
  if (!group) {
    group = { cpuMs: 0, rssBytes: 0, processes: 0, cpuMsByPid: new Map() };
    out.set(pgid, group);
  }
  group.cpuMs += cpuMs;
  group.rssBytes += rssBytes;
  group.processes += 1;
  group.cpuMsByPid.set(pid, cpuMs);
}

function wantedSet(pgids: readonly number[]): Set<number> {
  // 0 (kernel threads) and negative ids are never a service's group.
  return new Set(pgids.filter((p) => Number.isInteger(p) && p > 0));
}

// ---------------------------------------------------------------------------------------------
// Linux: /proc

/** Kernel constants needed to interpret /proc/<pid>/stat. */
export interface ProcConstants {
  /** Clock ticks per second (`getconf CLK_TCK`), the unit of utime/stime. */
  ticksPerSecond: number;
  /** Bytes per page (`getconf PAGESIZE`), the unit of rss. */
  pageSize: number;
}

let systemConstants: Promise<ProcConstants> | undefined;

async function getconf(name: string, fallback: number): Promise<number> {
  try {
    const value = Number((await defaultRun('getconf', [name])).trim());
    return Number.isInteger(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

/** `getconf CLK_TCK` and `getconf PAGESIZE`, asked once per process (100 / 4096 if unavailable). */
function procConstants(): Promise<ProcConstants> {
  systemConstants ??= Promise.all([getconf('CLK_TCK', 100), getconf('PAGESIZE', 4096)]).then(
    ([ticksPerSecond, pageSize]) => ({ ticksPerSecond, pageSize }),
  );
  return systemConstants;
}

/**
 * The fields of one /proc/<pid>/stat line after "(comm)", or null if it has no ")": [0] is the
 * state (field 3 in man 5 proc), so field N is at index N - 3.
 */
export function procStatFields(line: string): string[] | null {
  // "pid (comm) state ppid pgrp ...": comm may contain spaces and ')', so cut at the LAST ')'.
  const close = line.lastIndexOf(')');
  if (close < 0) return null;
  return line
    .slice(close + 1)
    .trim()
    .split(/\s+/);
}

/** The fields we use from one /proc/<pid>/stat line, or null if it does not parse. */
export function parseProcStat(
  line: string,
): { state: string; pgid: number; ticks: number; rssPages: number } | null {
  const f = procStatFields(line);
  if (!f) return null;
  // After ")": [0] state, [2] pgrp, [11] utime, [12] stime, [21] rss (man 5 proc fields 3..24).
  const state = f[0];
  const pgid = Number(f[2]);
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const rssPages = Number(f[21]);
  if (!state || ![pgid, utime, stime, rssPages].every(Number.isFinite)) return null;
  return { state, pgid, ticks: utime + stime, rssPages: Math.max(0, rssPages) };
}

/** Errors that mean "this process is gone (or hidden from us)", not "the reader is broken". */
const VANISHED = new Set(['ENOENT', 'ESRCH', 'EACCES', 'EPERM', 'ENOTDIR']);

const statBuffers: Buffer[] = [];

/** Reads the start of /proc/<pid>/stat (one open/read/close), or null if the pid vanished. */
async function readStat(path: string): Promise<string | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (VANISHED.has((err as NodeJS.ErrnoException).code ?? '')) return null;
    throw err;
  }
  const buf = statBuffers.pop() ?? Buffer.allocUnsafe(4096);
  try {
    // The whole line fits: comm is at most 64 bytes, the ~50 numeric fields well under 1 KiB.
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.toString('latin1', 0, bytesRead);
  } catch (err) {
    if (VANISHED.has((err as NodeJS.ErrnoException).code ?? '')) return null;
    throw err;
  } finally {
    statBuffers.push(buf);
    await handle.close().catch(() => undefined);
  }
}

/** How many stat files are read at once; bounds open file descriptors on busy machines. */
const PROC_CONCURRENCY = 16;

/**
 * Reads `<procRoot>/<pid>/stat` of every process once (or of the `only` entries, when given), at
 * most PROC_CONCURRENCY at a time, and hands each line that could be read to `visit`. Pids that
 * vanish mid-scan are skipped; rejects with a descriptive Error only when `procRoot` itself
 * cannot be listed.
 */
export async function forEachProcStat(
  procRoot: string,
  visit: (pid: number, statLine: string) => void,
  only?: readonly string[],
): Promise<void> {
  let entries: readonly string[];
  if (only !== undefined) entries = only;
  else {
    try {
      entries = await readdir(procRoot);
    } catch (err) {
      throw new Error(`Cannot list processes in ${procRoot}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  const pids = entries.filter((e) => /^\d+$/.test(e));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pids.length) {
      const entry = pids[next++]!;
      const text = await readStat(join(procRoot, entry, 'stat'));
      if (text !== null) visit(Number(entry), text);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROC_CONCURRENCY, pids.length) }, worker));
}

/**
 * Linux reader: lists `procRoot` and reads `<pid>/stat` of the processes in the asked groups.
 * CPU = utime + stime (clock ticks), RSS = rss (pages). Zombies are not counted.
 * `constants` defaults to `getconf CLK_TCK` / `getconf PAGESIZE`, asked once.
 *
 * The group of each pid is read once, when the pid is first listed (a child inherits its
 * group at fork), so a sample reads the stat files of the services' own processes, not of
 * every process on the machine; a process that moved out of its group since is dropped when
 * its fresh stat line says so.
 */
export function procGroupReader(
  procRoot = '/proc',
  constants?: Partial<ProcConstants>,
): GroupReader {
  /** pid -> its group when first listed (null: unreadable or gone then). */
  const groupOf = new Map<number, number | null>();
  return async (pgids) => {
    const wanted = wantedSet(pgids);
    const out = new Map<number, GroupSample & { cpuMsByPid: Map<number, number> }>();
    if (wanted.size === 0) return out;
    const system =
      constants?.ticksPerSecond && constants.pageSize ? undefined : await procConstants();
    const ticksPerSecond = constants?.ticksPerSecond ?? system?.ticksPerSecond ?? 100;
    const pageSize = constants?.pageSize ?? system?.pageSize ?? 4096;

    let entries: string[];
    try {
      entries = (await readdir(procRoot)).filter((e) => /^\d+$/.test(e));
    } catch (err) {
      throw new Error(`Cannot list processes in ${procRoot}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const listed = new Set(entries.map(Number));
    for (const pid of groupOf.keys()) if (!listed.has(pid)) groupOf.delete(pid);
    const fresh = entries.filter((e) => !groupOf.has(Number(e)));
    for (const e of fresh) groupOf.set(Number(e), null);
    await forEachProcStat(
      procRoot,
      (pid, text) => groupOf.set(pid, parseProcStat(text)?.pgid ?? null),
      fresh,
    );
    const members: string[] = [];
    for (const [pid, pgid] of groupOf)
      if (pgid !== null && wanted.has(pgid)) members.push(`${pid}`);

    await forEachProcStat(
      procRoot,
      (pid, text) => {
        const stat = parseProcStat(text);
        if (!stat || stat.state === 'Z' || stat.state === 'X') return;
        groupOf.set(pid, stat.pgid);
        const cpuMs = (stat.ticks * 1000) / ticksPerSecond;
        add(out, wanted, pid, stat.pgid, cpuMs, stat.rssPages * pageSize);
      },
      members,
    );
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// macOS (and fallback): ps

/**
 * Parses a `ps` CPU time into ms: `[[dd-]hh:]mm:ss[.cc]` (procps prints `hh:mm:ss` or
 * `dd-hh:mm:ss`, macOS prints `m:ss.cc` with unbounded minutes). NaN if it does not parse.
 */
export function parsePsTime(text: string): number {
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m) return Number.NaN;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = m;
  const totalSeconds =
    Number(days) * 86_400 + Number(hours) * 3_600 + Number(minutes) * 60 + Number(seconds);
  return Math.round(totalSeconds * 1000);
}

export const PS_ARGS = ['-A', '-o', 'pid=,pgid=,rss=,time=,stat='];

/**
 * Reader based on one `ps -A -o pid=,pgid=,rss=,time=,stat=` call (works with macOS/BSD ps and
 * procps). rss is in KiB; zombies are not counted. Rejects if `ps` cannot be run or its
 * output cannot be understood.
 */
export function psGroupReader(run: RunCommand = defaultRun): GroupReader {
  return async (pgids) => {
    const wanted = wantedSet(pgids);
    const out = new Map<number, GroupSample & { cpuMsByPid: Map<number, number> }>();
    if (wanted.size === 0) return out;
    let stdout: string;
    try {
      stdout = await run('ps', PS_ARGS);
    } catch (err) {
      throw new Error(`Cannot list processes with ps: ${(err as Error).message}`, { cause: err });
    }
    for (const raw of stdout.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      const [pidText = '', pgidText = '', rssText = '', timeText = '', state = ''] =
        line.split(/\s+/);
      const pid = Number(pidText);
      const pgid = Number(pgidText);
      if (!wanted.has(pgid) || state.startsWith('Z')) continue;
      const rssKiB = Number(rssText);
      const cpuMs = parsePsTime(timeText);
      if (!Number.isInteger(pid) || !Number.isFinite(rssKiB) || !Number.isFinite(cpuMs)) {
        throw new Error(`Unexpected ps output line: ${JSON.stringify(raw)}`);
      }
      add(out, wanted, pid, pgid, cpuMs, rssKiB * 1024);
    }
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// Windows: one Win32_Process query

/**
 * Windows has no process groups: a service's "group" is its process tree (the leader, by the
 * pid the supervisor asks for, and its descendants by ParentProcessId, see win-process.ts),
 * read with one Get-CimInstance call per sample (wmic as fallback). CPU = KernelModeTime +
 * UserModeTime, memory = WorkingSetSize (Windows' resident set). The cost is one Windows
 * PowerShell start per sample; rejects with advice when neither PowerShell nor wmic answers.
 */
export function winGroupReader(run: WinCommandRunner = defaultWinRunner): GroupReader {
  return async (pgids) => {
    const wanted = wantedSet(pgids);
    const out = new Map<number, GroupSample & { cpuMsByPid: Map<number, number> }>();
    if (wanted.size === 0) return out;
    const table = await queryProcesses({ usage: true }, run);
    if (table === null) {
      throw new Error(
        'Cannot read the CPU and memory of the services: neither Windows PowerShell ' +
          '(Get-CimInstance Win32_Process) nor wmic answered. Check that powershell.exe is ' +
          'installed and not blocked by a policy; the services themselves are not affected.',
      );
    }
    const byPid = new Map(table.map((p) => [p.pid, p]));
    for (const pid of wanted) {
      const leader = byPid.get(pid);
      if (!leader || leader.created === null) continue;
      for (const p of [leader, ...treeOf(table, { pid, created: leader.created })]) {
        add(out, wanted, p.pid, pid, p.cpuMs ?? 0, p.workingSetBytes ?? 0);
      }
    }
    return out;
  };
}

/** /proc on Linux, one WMI query on Windows, `ps` elsewhere (macOS). */
export function defaultGroupReader(platform: NodeJS.Platform = process.platform): GroupReader {
  if (platform === 'linux') return procGroupReader();
  return platform === 'win32' ? winGroupReader() : psGroupReader();
}

// ---------------------------------------------------------------------------------------------
// CPU% from successive readings

interface Previous {
  at: number;
  cpuMs: number;
  cpuMsByPid: ReadonlyMap<number, number> | undefined;
}

/** CPU time the group used between two readings; never negative. */
function cpuDelta(prev: Previous, cur: GroupSample): number {
  if (prev.cpuMsByPid && cur.cpuMsByPid) {
    // Per process: a helper that exited since `prev` drops out instead of cancelling the others'
    // progress. A pid that is new (or reused, its counter smaller) counts from zero.
    let delta = 0;
    for (const [pid, ms] of cur.cpuMsByPid) {
      const before = prev.cpuMsByPid.get(pid);
      delta += before === undefined || before > ms ? ms : ms - before;
    }
    return delta;
  }
  return Math.max(0, cur.cpuMs - prev.cpuMs);
}

/**
 * Turns successive samples into CPU% (100 = one core fully busy) over the wall time between
 * samples. The first sample of a group reports `cpuPercent: null`. A group with no process left
 * is absent from the result and forgotten (a later group with the same id starts afresh), as is
 * a group not asked for in a sample. Calls are serialised, so overlapping `sample()` calls are
 * safe.
 */
export class UsageSampler {
  private readonly previous = new Map<number, Previous>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly reader: GroupReader,
    private readonly now: () => number = () => performance.now(),
  ) {}

  sample(pgids: readonly number[]): Promise<Map<number, GroupUsage>> {
    const run = this.queue.then(
      () => this.take(pgids),
      () => this.take(pgids),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async take(pgids: readonly number[]): Promise<Map<number, GroupUsage>> {
    const readings = await this.reader(pgids);
    const at = this.now();
    const result = new Map<number, GroupUsage>();
    const seen = new Set<number>();
    for (const pgid of pgids) {
      const cur = readings.get(pgid);
      if (!cur || cur.processes === 0 || seen.has(pgid)) continue;
      seen.add(pgid);
      const prev = this.previous.get(pgid);
      const elapsed = prev ? at - prev.at : 0;
      const cpuPercent = prev && elapsed > 0 ? (cpuDelta(prev, cur) / elapsed) * 100 : null;
      result.set(pgid, { cpuPercent, rssBytes: cur.rssBytes, processes: cur.processes });
      this.previous.set(pgid, { at, cpuMs: cur.cpuMs, cpuMsByPid: cur.cpuMsByPid });
    }
    for (const pgid of this.previous.keys()) if (!seen.has(pgid)) this.previous.delete(pgid);
    return result;
  }
}
