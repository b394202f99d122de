import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { reclaimTagged } from './descendants';
import { isGroupAlive, isProcessAlive, signalGroup, waitFor } from './process-group';
import { winStartTime } from './win-process';
import { reclaimTreeWin } from './win-stop';

/** A process told apart from any later process that reuses its pid. */
export interface ProcessIdentity {
  pid: number;
  /**
   * OS start time of the process (Linux: `<boot id>:<clock ticks>`; macOS: `ps lstart`;
   * Windows: `win:<CreationDate in µs since 1601 UTC>`, see win-process.ts).
   */
  startTime: string;
}

/** What a pid file holds: enough to tell our own leftover child from a recycled pid. */
export interface PidFileRecord extends ProcessIdentity {
  name: string;
  command: string[];
  /** Epoch ms when the file was written. */
  writtenAt: number;
  /**
   * The app process (host) that spawned the child. Reclaim leaves the child alone while this
   * process lives: it is someone's running stack, not an orphan. Absent in files written by
   * versions before it was recorded; those are judged by the child alone.
   */
  owner?: ProcessIdentity;
  /**
   * The spawn's STIGMER_LOCAL_TAG (descendants.ts): reclaim finds helpers that left the child's
   * group by it. Absent in older files.
   */
  tag?: string;
}

/** What `reclaimOrphans` did with one pid file. */
export interface ReclaimResult {
  name: string;
  /** Null only when the file could not be read or parsed. */
  pid: number | null;
  /**
   * killed: our orphan, its group is gone now; stale: no such process; recycled: pid reused;
   * owned: the app that spawned it is still running, so it was left alone (file kept).
   */
  action: 'killed' | 'stale' | 'recycled' | 'owned';
}

/** Options for `reclaimOrphans`. */
export interface ReclaimOptions {
  /** Pids that are live children of this supervisor: their files are left alone. */
  ignorePids?: ReadonlySet<number>;
  /** How long an orphan group gets after SIGTERM before SIGKILL. */
  graceMs?: number;
}

const SUFFIX = '.pid';

/** The pid file path of a service (names are sanitised so they cannot escape `runDir`). */
export function pidFilePath(runDir: string, name: string): string {
  return join(runDir, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}${SUFFIX}`);
}

/**
 * The start time of a live process as the OS reports it, or null if it is gone. Pid plus start
 * time identifies a process uniquely, so a recycled pid is never taken for our child.
 */
export async function readProcessStartTime(pid: number): Promise<string | null> {
  if (process.platform === 'linux') {
    try {
      const [stat, bootId] = await Promise.all([
        readFile(`/proc/${pid}/stat`, 'utf8'),
        readFile('/proc/sys/kernel/random/boot_id', 'utf8'),
      ]);
      // Field 22 (starttime) counted from 1; the fields after ")" start at field 3.
      const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
      // Ticks since boot repeat across reboots; the boot id makes the pair unique.
      return ticks ? `${bootId.trim()}:${ticks}` : null;
    } catch {
      return null;
    }
  }
  if (process.platform === 'win32') return winStartTime(pid);
  const result = await execa('ps', ['-o', 'lstart=', '-p', String(pid)], {
    reject: false,
    env: { LC_ALL: 'C', PATH: '/bin:/usr/bin' },
    extendEnv: false,
  });
  const out = typeof result.stdout === 'string' ? result.stdout.trim() : '';
  return result.exitCode === 0 && out.length > 0 ? out : null;
}

let ownIdentity: Promise<ProcessIdentity | null> | null = null;

/** This process's identity (pid + start time), read once; null if the OS would not say. */
export function currentProcessIdentity(): Promise<ProcessIdentity | null> {
  ownIdentity ??= readProcessStartTime(process.pid).then((startTime) =>
    startTime === null ? null : { pid: process.pid, startTime },
  );
  return ownIdentity;
}

/** Whether the very process `identity` names still runs (not merely some process with its pid). */
export async function isIdentityAlive(identity: ProcessIdentity): Promise<boolean> {
  if (!isProcessAlive(identity.pid)) return false;
  return (await readProcessStartTime(identity.pid)) === identity.startTime;
}

function parseIdentity(value: unknown): ProcessIdentity | null {
  if (typeof value !== 'object' || value === null) return null;
  const { pid, startTime } = value as Partial<ProcessIdentity>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return null;
  if (typeof startTime !== 'string' || startTime.length === 0) return null;
  return { pid, startTime };
}

/**
 * Write `<name>.pid` for a just-spawned child; null if the child is already gone. The owner is
 * the process writing the file (the host whose supervisor spawned the child) unless given.
 */
export async function writePidFile(
  runDir: string,
  entry: { pid: number; name: string; command: string[]; owner?: ProcessIdentity; tag?: string },
  now: () => number = Date.now,
): Promise<PidFileRecord | null> {
  const startTime = await readProcessStartTime(entry.pid);
  if (startTime === null) return null;
  const owner = entry.owner ?? (await currentProcessIdentity());
  const record: PidFileRecord = {
    pid: entry.pid,
    startTime,
    name: entry.name,
    command: entry.command,
    writtenAt: now(),
    ...(owner ? { owner } : {}),
    ...(entry.tag ? { tag: entry.tag } : {}),
  };
  await mkdir(runDir, { recursive: true });
  const file = pidFilePath(runDir, entry.name);
  // Write then rename, so a crash mid-write never leaves a half file behind.
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  await rename(tmp, file);
  return record;
}

/** Read one pid file; null if missing or malformed. */
export async function readPidFile(file: string): Promise<PidFileRecord | null> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as Partial<PidFileRecord> | null;
    if (
      data === null ||
      typeof data !== 'object' ||
      typeof data.pid !== 'number' ||
      !Number.isInteger(data.pid) ||
      data.pid <= 1 ||
      typeof data.startTime !== 'string' ||
      typeof data.name !== 'string'
    ) {
      return null;
    }
    const owner = parseIdentity(data.owner);
    return {
      pid: data.pid,
      startTime: data.startTime,
      name: data.name,
      command: Array.isArray(data.command) ? data.command.map(String) : [],
      writtenAt: typeof data.writtenAt === 'number' ? data.writtenAt : 0,
      ...(owner ? { owner } : {}),
      ...(typeof data.tag === 'string' && /^[0-9a-f]{32}$/.test(data.tag) ? { tag: data.tag } : {}),
    };
  } catch {
    return null;
  }
}

/**
 * Remove a service's pid file. With `pid`, only if the file still names that pid, so a late
 * cleanup of an old child never deletes the file of its successor.
 */
export async function removePidFile(runDir: string, name: string, pid?: number): Promise<void> {
  const file = pidFilePath(runDir, name);
  if (pid !== undefined) {
    const record = await readPidFile(file);
    if (record && record.pid !== pid) return;
  }
  await unlink(file).catch(() => undefined);
}

/** Signal the orphan's group, or the process alone if it somehow leads no group. */
function signalOrphan(pid: number, signal: NodeJS.Signals): void {
  if (signalGroup(pid, signal)) return;
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Deal with pid files left by a previous run that died without stopping its children: kill
 * each leftover whose pid AND start time match (it is ours) and whose owning app is dead, never
 * touch a process whose pid was reused by someone else or whose owner still runs it, and delete
 * every file handled (except those of a live owner: they are its to remove).
 */
export async function reclaimOrphans(
  runDir: string,
  options: ReclaimOptions = {},
): Promise<ReclaimResult[]> {
  const graceMs = options.graceMs ?? 2_000;
  let entries: string[];
  try {
    entries = await readdir(runDir);
  } catch {
    return [];
  }
  const results: ReclaimResult[] = [];
  for (const entry of entries.filter((e) => e.endsWith(SUFFIX)).sort()) {
    const file = join(runDir, entry);
    const record = await readPidFile(file);
    if (record === null) {
      await unlink(file).catch(() => undefined);
      results.push({ name: entry.slice(0, -SUFFIX.length), pid: null, action: 'stale' });
      continue;
    }
    if (options.ignorePids?.has(record.pid)) continue;
    const { name, pid } = record;
    // Another app instance on this data dir (or this one) still supervises it: not an orphan.
    // The instance lock keeps a second instance from getting here; this holds without it.
    if (record.owner && (await isIdentityAlive(record.owner))) {
      results.push({ name, pid, action: 'owned' });
      continue;
    }
    if (process.platform === 'win32') {
      // No groups: the tree by parent links, even when its leader is gone (win-stop.ts).
      const action = await reclaimTreeWin(record, graceMs);
      if (action === null) continue; // WMI did not answer: keep the file for the next start
      await unlink(file).catch(() => undefined);
      results.push({ name, pid, action });
      continue;
    }
    // Helpers that left the child's group (setsid, double fork) carry its tag: reach them too.
    if (record.tag) await reclaimTagged(record.tag, { pid, since: record.startTime }, graceMs);
    if (!isProcessAlive(pid)) {
      await unlink(file).catch(() => undefined);
      results.push({ name, pid, action: 'stale' });
      continue;
    }
    const startTime = await readProcessStartTime(pid);
    if (startTime !== record.startTime) {
      // Same pid, different process: killing it would hit an innocent program.
      await unlink(file).catch(() => undefined);
      results.push({ name, pid, action: startTime === null ? 'stale' : 'recycled' });
      continue;
    }
    // Our children lead their own group (detached), so the group takes grandchildren too.
    const allGone = (): boolean => !isProcessAlive(pid) && !isGroupAlive(pid);
    signalOrphan(pid, 'SIGTERM');
    if (!(await waitFor(allGone, graceMs))) {
      signalOrphan(pid, 'SIGKILL');
      await waitFor(allGone, 2_000);
    }
    await unlink(file).catch(() => undefined);
    results.push({ name, pid, action: 'killed' });
  }
  return results;
}
