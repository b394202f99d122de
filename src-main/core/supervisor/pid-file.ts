import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { isGroupAlive, isProcessAlive, signalGroup, waitFor } from './process-group';

/** What a pid file holds: enough to tell our own leftover child from a recycled pid. */
export interface PidFileRecord {
  pid: number;
  /** OS start time of the process (Linux: `<boot id>:<clock ticks>`; macOS: `ps lstart`). */
  startTime: string;
  name: string;
  command: string[];
  /** Epoch ms when the file was written. */
  writtenAt: number;
}

/** What `reclaimOrphans` did with one pid file. */
export interface ReclaimResult {
  name: string;
  /** Null only when the file could not be read or parsed. */
  pid: number | null;
  /** killed: our orphan, its group is gone now; stale: no such process; recycled: pid reused. */
  action: 'killed' | 'stale' | 'recycled';
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
  const result = await execa('ps', ['-o', 'lstart=', '-p', String(pid)], {
    reject: false,
    env: { LC_ALL: 'C', PATH: '/bin:/usr/bin' },
    extendEnv: false,
  });
  const out = typeof result.stdout === 'string' ? result.stdout.trim() : '';
  return result.exitCode === 0 && out.length > 0 ? out : null;
}

/** Write `<name>.pid` for a just-spawned child; null if the child is already gone. */
export async function writePidFile(
  runDir: string,
  entry: { pid: number; name: string; command: string[] },
  now: () => number = Date.now,
): Promise<PidFileRecord | null> {
  const startTime = await readProcessStartTime(entry.pid);
  if (startTime === null) return null;
  const record: PidFileRecord = { ...entry, startTime, writtenAt: now() };
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
    const data = JSON.parse(await readFile(file, 'utf8')) as Partial<PidFileRecord>;
    if (
      typeof data.pid !== 'number' ||
      !Number.isInteger(data.pid) ||
      data.pid <= 1 ||
      typeof data.startTime !== 'string' ||
      typeof data.name !== 'string'
    ) {
      return null;
    }
    return {
      pid: data.pid,
      startTime: data.startTime,
      name: data.name,
      command: Array.isArray(data.command) ? data.command.map(String) : [],
      writtenAt: typeof data.writtenAt === 'number' ? data.writtenAt : 0,
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
 * each leftover whose pid AND start time match (it is ours), never touch a process whose pid
 * was reused by someone else, and delete every file handled.
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
