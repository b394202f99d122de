// Finds this run's processes in /proc: every process whose command line or environment names
// the run's temp dir (the host, its services, their grandchildren, and any orphan of theirs).
// Synchronous reads: /proc files are tiny and a few hundred sync reads take a few ms, far less
// than as many promises on a loaded machine.
import { readFileSync, readdirSync } from 'node:fs';

function readOr(path, fallback) {
  try {
    return readFileSync(path);
  } catch {
    return fallback;
  }
}

/** {state, ppid, pgid} of a process from /proc/<pid>/stat, or null when it is gone. */
export function procStat(pid) {
  const stat = readOr(`/proc/${pid}/stat`, null);
  if (!stat) return null;
  const text = stat.toString('utf8');
  // The command name may contain spaces and parentheses: the fields start after the last ")".
  const [state, ppid, pgid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state, ppid: Number(ppid), pgid: Number(pgid) };
}

/** Every live (non-zombie) process that mentions `marker`, except this script itself. */
export function scanProcesses(marker) {
  const needle = Buffer.from(marker);
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    const cmdline = readOr(`/proc/${pid}/cmdline`, Buffer.alloc(0));
    if (cmdline.length === 0) continue; // a zombie or a kernel thread
    const hit =
      cmdline.includes(needle) || readOr(`/proc/${pid}/environ`, Buffer.alloc(0)).includes(needle);
    if (!hit) continue;
    const stat = procStat(pid);
    if (!stat || stat.state === 'Z') continue;
    const cmd = cmdline.toString('utf8').replaceAll('\0', ' ').trim();
    found.push({ pid, ...stat, cmd: cmd.length > 160 ? `${cmd.slice(0, 157)}...` : cmd });
  }
  return found;
}

/** The first of `ancestors` (a Set of pids) among the parents of `pid`, or null. */
export function ancestorIn(pid, ancestors) {
  let current = pid;
  for (let depth = 0; depth < 64 && current > 1; depth++) {
    const stat = procStat(current);
    if (!stat) return null;
    if (ancestors.has(stat.ppid)) return stat.ppid;
    current = stat.ppid;
  }
  return null;
}

/** True while `pid` exists and is not a zombie. */
export function isLive(pid) {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z';
}
