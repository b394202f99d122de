import { readFileSync, readdirSync } from 'node:fs';
import { procStatFields as splitStat } from './resource-usage';

const isLinux = process.platform === 'linux';
/** Windows has no process groups or signals: its stops and trees live in win-stop.ts. */
const isWindows = process.platform === 'win32';

/** Fields of /proc/<pid>/stat after the "(comm)" part, which may itself contain spaces. */
function procStatFields(pid: number): string[] | null {
  try {
    return splitStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Linux: the start time of a live (non-zombie) process in clock ticks since boot (field 22 of
 * /proc/<pid>/stat), or null when it is gone, a zombie, or this is not Linux. Pid plus start
 * time names one process: a recycled pid has a later start time.
 */
export function processStartTicks(pid: number): number | null {
  if (!isLinux || !Number.isInteger(pid) || pid <= 0) return null;
  const fields = procStatFields(pid);
  if (fields === null || fields[0] === 'Z' || fields[0] === 'X') return null;
  const ticks = Number(fields[22 - 3]);
  return Number.isFinite(ticks) ? ticks : null;
}

/**
 * Whether a process with this pid exists and is not a zombie. A zombie still answers
 * `kill(pid, 0)`, and in a container whose pid 1 does not reap, an orphaned grandchild stays a
 * zombie forever; it holds no resources, so it counts as gone.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (isLinux) {
    const fields = procStatFields(pid);
    return fields !== null && fields[0] !== 'Z' && fields[0] !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether any live (non-zombie) process is still in process group `pgid`. */
export function isGroupAlive(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 0 || isWindows) return false;
  if (isLinux) {
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      entries = [];
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      const fields = procStatFields(Number(entry));
      // After ")": state ppid pgrp ...
      if (fields && fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X') {
        return true;
      }
    }
    return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Send `signal` to every process of group `pgid`; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false; // never -0 / -1: that is "everyone"
  if (isWindows) return false; // kill(-pgid) means nothing there; callers branch to win-stop.ts
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves after `ms`, or early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Polls `condition` until it holds (true) or `timeoutMs` passes (false). */
export async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  intervalMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(intervalMs, Math.max(1, deadline - Date.now())));
  }
}

/**
 * Ask a process group to go away: `signal` first, SIGKILL for whatever is left after
 * `graceMs`. Resolves once no live process of the group remains (or a short safety bound).
 */
export async function terminateGroup(
  pgid: number,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<{ forced: boolean }> {
  if (!signalGroup(pgid, signal)) return { forced: false };
  if (await waitFor(() => !isGroupAlive(pgid), graceMs)) return { forced: false };
  signalGroup(pgid, 'SIGKILL');
  await waitFor(() => !isGroupAlive(pgid), 2_000);
  return { forced: true };
}
