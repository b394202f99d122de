/**
 * Stopping a process tree on Windows, where there are no signals.
 *
 * What "graceful" means there: `taskkill /PID <pid> /T` without /F posts WM_CLOSE to the
 * windows of the process and its children. A GUI program may save and exit; a console program
 * (node, most servers) has no window, so taskkill answers that it "can only be terminated
 * forcefully" and nothing is asked. Node's own process.kill(pid, 'SIGTERM') on Windows is
 * TerminateProcess, no gentler. So a console service gets a real graceful stop only through a
 * stdin stop message (stop: {stdin: ...} in the stack file); otherwise, once the close request
 * has reached nothing, waiting out the grace time would only delay the kill, and it is skipped.
 * The kill itself is `taskkill /F /T` over the tree as listed by WMI (treeOf), with every pid
 * checked against its creation time first, so a reused pid is never killed.
 */
import { isProcessAlive, waitFor } from './process-group';
import {
  defaultWinRunner,
  parseStartTimeToken,
  queryProcesses,
  taskkillArgs,
  treeOf,
  type WinCommandRunner,
  type WinProcess,
} from './win-process';

/** What a stop needs from the system; tests pass fakes. */
export interface WinIo {
  run: WinCommandRunner;
  /** process.kill(pid, 0): cheap enough to poll; identity is checked before any kill. */
  isAlive: (pid: number) => boolean;
}

/** The real one. */
export const defaultWinIo: WinIo = { run: defaultWinRunner, isAlive: isProcessAlive };

/** The tree to stop: its leader by pid and creation time (null: unknown, see liveTree). */
export interface WinTreeRoot {
  pid: number;
  created: bigint | null;
}

/** The live tree as WMI lists it now; null when WMI could not be asked. */
export interface LiveTree {
  /** The leader if it still runs as the same process. */
  leader: WinProcess | null;
  /** Its live descendants, including those whose parent (or the leader) has exited. */
  members: WinProcess[];
  /** Every process WMI listed. */
  table: WinProcess[];
}

/**
 * The leader (if alive and the same process) and its descendants. Without a known creation
 * time only a live leader's tree can be found (a live parent's pid cannot be reused, so its
 * children are certainly its own).
 */
export async function liveTree(root: WinTreeRoot, io: WinIo): Promise<LiveTree | null> {
  const table = await queryProcesses({}, io.run);
  if (table === null) return null;
  const row = table.find((p) => p.pid === root.pid) ?? null;
  const leader = row && (root.created === null || row.created === root.created) ? row : null;
  const created = root.created ?? leader?.created ?? null;
  const members = created === null ? [] : treeOf(table, { pid: root.pid, created });
  return { leader, members, table };
}

/** What a stop did, for the caller's log. */
export interface WinStopEvents {
  /** The close request was sent; `delivered` false: nothing in the tree could be asked. */
  onClose?: (delivered: boolean) => void;
  /** `taskkill /F /T` was sent to `pids`; `leaderAlive`: the leader itself was still running. */
  onForce?: (pids: number[], leaderAlive: boolean) => void;
}

/** Options of stopTree. */
export interface WinStopOptions {
  graceMs: number;
  /** 'taskkill': send the close request; 'none': the caller asked already (stdin message). */
  ask: 'taskkill' | 'none';
  /** Whether the leader has exited (a child handle's exit event, or !isAlive for reclaim). */
  leaderGone: () => boolean;
  /**
   * True when the caller holds the leader's process handle (our own child, not yet reaped):
   * its pid cannot be reused, so it may be killed even when WMI cannot be asked.
   */
  leaderHeld: boolean;
  /** A listing the caller just made (saves one WMI query). */
  initial?: LiveTree | null;
}

/**
 * Ask the tree to close, wait up to the grace time for the leader and every member to be gone,
 * then list the tree again and `taskkill /F /T` whatever is left and still the same process. Returns forced: true when
 * the leader itself had to be killed.
 */
export async function stopTree(
  root: WinTreeRoot,
  options: WinStopOptions,
  events: WinStopEvents = {},
  io: WinIo = defaultWinIo,
): Promise<{ forced: boolean }> {
  const before = options.initial !== undefined ? options.initial : await liveTree(root, io);
  const known = before?.members ?? [];
  const allGone = (): boolean => options.leaderGone() && known.every((p) => !io.isAlive(p.pid));
  let wait = options.ask === 'none';
  if (options.ask === 'taskkill' && !options.leaderGone()) {
    const asked = await io.run('taskkill.exe', taskkillArgs([root.pid], { force: false }));
    wait = asked.exitCode === 0;
    events.onClose?.(wait);
  }
  if (wait) await waitFor(allGone, options.graceMs);
  // Listed again even when all looked gone: helpers started during the grace time are in the
  // tree now, and this listing is what finds them.

  const now = await liveTree(root, io);
  const leaderAlive = !options.leaderGone();
  const targets = new Set<number>();
  if (leaderAlive && (now?.leader || (now === null && options.leaderHeld))) targets.add(root.pid);
  for (const p of now?.members ?? []) targets.add(p.pid);
  // Listed at the start but no longer linked (a parent's pid was reused meanwhile): still
  // ours while the same pid has the same creation time.
  const byPid = new Map((now?.table ?? []).map((p) => [p.pid, p]));
  for (const p of known) if (byPid.get(p.pid)?.created === p.created) targets.add(p.pid);
  if (targets.size === 0) return { forced: false };
  await io.run('taskkill.exe', taskkillArgs([...targets], { force: true }));
  events.onForce?.([...targets], leaderAlive);
  await waitFor(() => options.leaderGone() && [...targets].every((p) => !io.isAlive(p)), 2_000);
  return { forced: leaderAlive };
}

/**
 * Reclaim after the app died (pid-file.ts): stop the tree of the leader the pid file names,
 * even when the leader itself is gone (its children keep its pid as their parent). 'killed':
 * something of it ran; 'stale': nothing did; 'recycled': the pid now names another process;
 * null: WMI could not be asked, so nothing can be proven ours and nothing is touched.
 */
export async function reclaimTreeWin(
  leader: { pid: number; startTime: string },
  graceMs: number,
  io: WinIo = defaultWinIo,
): Promise<'killed' | 'stale' | 'recycled' | null> {
  const created = parseStartTimeToken(leader.startTime);
  if (created === null) return 'stale'; // not a Windows start time: no process of this boot
  const root = { pid: leader.pid, created };
  const tree = await liveTree(root, io);
  if (tree === null) return null;
  if (!tree.leader && tree.members.length === 0) {
    return tree.table.some((p) => p.pid === leader.pid) ? 'recycled' : 'stale';
  }
  const leaderWasAlive = tree.leader !== null;
  await stopTree(
    root,
    {
      graceMs,
      ask: leaderWasAlive ? 'taskkill' : 'none',
      leaderGone: () => !leaderWasAlive || !io.isAlive(leader.pid),
      leaderHeld: false,
      initial: tree,
    },
    {},
    io,
  );
  return 'killed';
}
