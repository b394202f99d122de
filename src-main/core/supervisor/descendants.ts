/**
 * Escaped descendants (Linux): processes a service started that left its process group (setsid,
 * setpgid, double fork), so the signal the supervisor sends to the group misses them.
 *
 * Two ways to find them, both keyed by pid + start time so a recycled pid is never signalled:
 * - Ancestry recorded while the service runs: /proc is scanned at spawn, shortly after, at
 *   readiness, every 2 s and right before stop; a process is recorded when its parent, its
 *   session or its group is the service or an already recorded live descendant. A double-fork
 *   daemon reparents to init within milliseconds, so ancestry alone can miss it.
 * - A tag: each spawn gets a random `STIGMER_LOCAL_TAG` in its environment, which descendants
 *   inherit unless they clear their environment. At stop (and at reclaim after a crash) the
 *   /proc/<pid>/environ of every process started after the service is searched for it. This is
 *   Jenkins' ProcessTreeKiller technique and catches the double fork deterministically.
 * Neither is perfect (a daemon that clears its environment AND is orphaned between two scans
 * escapes); the kernel's answers are a cgroup per service or PR_SET_CHILD_SUBREAPER, neither of
 * which Node can set up (no prctl, no cgroup delegation outside systemd), hence this.
 *
 * Not Linux: everything here is a no-op (macOS has no /proc). A follow-up could build the table
 * from `ps -A -o pid=,ppid=,pgid=,sess=,lstart=` and read the tag with `ps -E`.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { processStartTicks, waitFor } from './process-group';
import { cachedProcTableReader } from './proc-table-cache';
import {
  TAG_VARIABLE,
  environHasTag,
  procEnvironReader,
  procTableReader,
  type EnvironReader,
  type ProcInfo,
  type ProcTableReader,
} from './proc-table';

export { TAG_VARIABLE, type EnvironReader, type ProcInfo, type ProcTableReader };

const isLinux = process.platform === 'linux';

/** A fresh random tag for one spawn (not a secret: it only names processes). */
export function newTag(): string {
  return randomBytes(16).toString('hex');
}

/** A descendant outside the service's group, as found at stop. */
export interface Escapee {
  pid: number;
  start: number;
  /** It leads its own group (setsid/setpgid), so its group is signalled too. */
  leadsGroup: boolean;
}

/**
 * The processes never to signal: ourselves and our ancestors (a tag or a reused session id must
 * never reach the app or the shell that launched it), and pids 0 and 1.
 */
function protectedPids(table: readonly ProcInfo[], selfPid: number): Set<number> {
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const out = new Set([0, 1]);
  for (let pid = selfPid; pid > 1 && !out.has(pid); pid = byPid.get(pid)?.ppid ?? 0) out.add(pid);
  return out;
}

/** The usage sampler's period: a tree is read as often as its CPU and memory are. */
const SCAN_INTERVAL_MS = 2_000;
/**
 * The period while nobody looks at the app (see setDescendantScanPace). Each scan wakes the
 * process and its V8 helper threads (~0.5% of a core at 2 s on a 2-core machine); daemons fork
 * mostly at start, which the early, readiness and pre-stop scans and the tag search cover.
 */
const QUIET_SCAN_INTERVAL_MS = 30_000;
let scanIntervalMs = SCAN_INTERVAL_MS;
/** Extra scans soon after a spawn, when daemons usually fork. */
const EARLY_SCAN_MS = [100, 500];

const watched = new Set<DescendantTracker>();
let timer: NodeJS.Timeout | null = null;
let scanning: Promise<void> | null = null;
let rescan = false;
// Periodic scans read only new pids' stat files (an idle stack: one /proc listing per scan);
// the scan at stop reads the whole table afresh through the tracker's own reader.
const sharedTable = cachedProcTableReader();

/**
 * One /proc read serves every watched tracker. A call during a scan gets one more scan after
 * it (the running one may have read the table before the caller's news, e.g. readiness).
 */
function scanWatched(): Promise<void> {
  if (scanning) {
    rescan = true;
    return scanning;
  }
  scanning = (async () => {
    do {
      rescan = false;
      try {
        const table = await sharedTable();
        for (const tracker of watched) tracker.observe(table);
      } catch {
        // /proc unreadable right now: the next tick tries again.
      }
    } while (rescan);
  })().finally(() => (scanning = null));
  return scanning;
}

function startTimer(): void {
  timer = setInterval(() => void scanWatched(), scanIntervalMs);
  timer.unref();
}

/**
 * Periodic scans every 2 s while someone looks at the app (`looking`), every 30 s while nobody
 * does; a change of pace scans at once when speeding up. Applies to every watched tracker.
 */
export function setDescendantScanPace(looking: boolean): void {
  const next = looking ? SCAN_INTERVAL_MS : QUIET_SCAN_INTERVAL_MS;
  if (next === scanIntervalMs) return;
  scanIntervalMs = next;
  if (timer === null) return;
  clearInterval(timer);
  startTimer();
  if (looking) void scanWatched();
}

/** Dependencies of a tracker; tests pass fakes. */
export interface TrackerIo {
  readTable: ProcTableReader;
  readEnviron: EnvironReader;
  /** The app's own pid (default process.pid). */
  selfPid: number;
  /** False outside Linux: every method is then a no-op. */
  enabled: boolean;
}

/** Records the descendants of one spawned child and finds those that left its group. */
export class DescendantTracker {
  /** Recorded live descendants: pid -> start ticks. */
  private readonly known = new Map<number, number>();
  private readonly io: TrackerIo;

  constructor(
    readonly root: { pid: number; start: number | null },
    readonly tag: string | null,
    io: Partial<TrackerIo> = {},
  ) {
    this.io = {
      readTable: io.readTable ?? procTableReader(),
      readEnviron: io.readEnviron ?? procEnvironReader,
      selfPid: io.selfPid ?? process.pid,
      enabled: io.enabled ?? isLinux,
    };
  }

  /** Pid -> start of the recorded descendants (for tests and diagnostics). */
  get recorded(): ReadonlyMap<number, number> {
    return this.known;
  }

  /**
   * Record every process of `table` descended from the root: its parent, session or group is
   * the root or a recorded descendant, alive with the recorded start time. Links through a dead
   * process are never followed (its pid, session or group number may have been reused). Dead
   * entries are dropped, so the record stays as small as the live tree.
   */
  observe(table: readonly ProcInfo[]): void {
    if (!this.io.enabled) return;
    const rootStart = this.root.start;
    const live = new Map(table.map((p) => [p.pid, p.start]));
    for (const [pid, start] of this.known) if (live.get(pid) !== start) this.known.delete(pid);
    const rootAlive = rootStart !== null && live.get(this.root.pid) === rootStart;
    const isOurs = (pid: number): boolean =>
      (rootAlive && pid === this.root.pid) || (this.known.has(pid) && pid !== this.root.pid);
    const skip = protectedPids(table, this.io.selfPid);
    // A child starts no earlier than its parent; oldest first makes one pass find most chains.
    const candidates = table
      .filter((p) => p.pid !== this.root.pid && !skip.has(p.pid))
      .filter((p) => rootStart === null || p.start >= rootStart)
      .sort((a, b) => a.start - b.start || a.pid - b.pid);
    for (let added = true; added;) {
      added = false;
      for (const p of candidates) {
        if (this.known.has(p.pid)) continue;
        if (isOurs(p.ppid) || isOurs(p.sid) || isOurs(p.pgid)) {
          this.known.set(p.pid, p.start);
          added = true;
        }
      }
    }
  }

  /** Scan now, soon after spawn, and periodically (see setDescendantScanPace) until `unwatch` (Linux only). */
  watch(): void {
    if (!this.io.enabled) return;
    watched.add(this);
    if (timer === null) startTimer();
    void scanWatched();
    for (const ms of EARLY_SCAN_MS) {
      setTimeout(() => this.scanSoon(), ms).unref();
    }
  }

  /** Ask for a scan now (e.g. at readiness, when helpers have usually been started). */
  scanSoon(): void {
    if (watched.has(this)) void scanWatched();
  }

  /** Stop the periodic scans of this tracker. */
  unwatch(): void {
    watched.delete(this);
    if (watched.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  }

  /** Reads the table and records descendants; never rejects (a failed scan records nothing). */
  async scan(): Promise<void> {
    if (!this.io.enabled) return;
    try {
      this.observe(await this.io.readTable());
    } catch {
      // /proc unreadable: the tag search at stop still works from whatever it can read.
    }
  }

  /**
   * The stop-time search: a fresh scan, then the tag in the environment of every process
   * started after the root. Returns the live descendants outside the root's group.
   */
  async findEscaped(): Promise<Escapee[]> {
    if (!this.io.enabled) return [];
    let table: ProcInfo[];
    try {
      table = await this.io.readTable();
    } catch {
      return [];
    }
    this.observe(table);
    const skip = protectedPids(table, this.io.selfPid);
    const rootPgid = this.root.pid;
    const out: Escapee[] = [];
    for (const p of table) {
      if (p.pgid === rootPgid || skip.has(p.pid) || p.pid === this.root.pid) continue;
      let ours = this.known.get(p.pid) === p.start;
      if (!ours && this.tag !== null && p.start >= (this.root.start ?? 0)) {
        ours = await hasTag(this.io.readEnviron, p.pid, this.tag);
        if (ours) this.known.set(p.pid, p.start);
      }
      if (ours) out.push({ pid: p.pid, start: p.start, leadsGroup: p.pgid === p.pid });
    }
    return out;
  }
}

/** Whether `pid`'s environment carries `tag`; the copy is zeroed (it may hold API keys). */
async function hasTag(read: EnvironReader, pid: number, tag: string): Promise<boolean> {
  const environ = await read(pid);
  if (environ === null) return false;
  try {
    return environHasTag(environ, tag);
  } finally {
    environ.fill(0);
  }
}

/**
 * Send `signal` to each escapee that is still the same process (pid + start time), and to the
 * group it leads while it is alive (then the group id cannot belong to anyone else).
 */
export function signalEscapees(escapees: readonly Escapee[], signal: NodeJS.Signals): void {
  for (const e of escapees) {
    if (e.pid <= 1 || processStartTicks(e.pid) !== e.start) continue;
    const targets = e.leadsGroup ? [-e.pid, e.pid] : [e.pid];
    for (const target of targets) {
      try {
        process.kill(target, signal);
      } catch {
        // Gone meanwhile.
      }
    }
  }
}

/** Whether any escapee is still alive as the same process (a zombie counts as gone). */
export function anyEscapeeAlive(escapees: readonly Escapee[]): boolean {
  return escapees.some((e) => processStartTicks(e.pid) === e.start);
}

/** Both lists, each process once. */
export function mergeEscapees(a: readonly Escapee[], b: readonly Escapee[]): Escapee[] {
  const out = new Map<string, Escapee>();
  for (const e of [...a, ...b]) out.set(`${e.pid}:${e.start}`, e);
  return [...out.values()];
}

/**
 * Reclaim after the app died: the processes that carry `tag` outside the leader's group (which
 * reclaim handles), SIGTERM then SIGKILL after `graceMs`. `since` is the leader's pid-file start
 * time, `<boot id>:<ticks>`: after a reboot nothing of that run can be left. Returns how many
 * processes were found.
 */
export async function reclaimTagged(
  tag: string,
  leader: { pid: number; since: string },
  graceMs: number,
  io: Partial<TrackerIo> = {},
): Promise<number> {
  if (!(io.enabled ?? isLinux)) return 0;
  const [bootId, ticks] = leader.since.split(':');
  const currentBoot = await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '');
  if (bootId !== currentBoot.trim() || !Number.isInteger(Number(ticks))) return 0;
  const tracker = new DescendantTracker({ pid: leader.pid, start: Number(ticks) }, tag, io);
  const escapees = await tracker.findEscaped();
  if (escapees.length === 0) return 0;
  signalEscapees(escapees, 'SIGTERM');
  if (!(await waitFor(() => !anyEscapeeAlive(escapees), graceMs))) {
    signalEscapees(escapees, 'SIGKILL');
    await waitFor(() => !anyEscapeeAlive(escapees), 2_000);
  }
  return escapees.length;
}
