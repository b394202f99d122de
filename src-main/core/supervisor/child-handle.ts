import { execa, type ResultPromise } from 'execa';
import type { ServiceSpec } from '../stack/types';
import type { ExitInfo } from './advice';
import type { OutputStream } from './line-tail';
import {
  DescendantTracker,
  TAG_VARIABLE,
  anyEscapeeAlive,
  mergeEscapees,
  newTag,
  signalEscapees,
  type Escapee,
} from './descendants';
import { removePidFile, writePidFile } from './pid-file';
import {
  isGroupAlive,
  isProcessAlive,
  processStartTicks,
  signalGroup,
  sleep,
  waitFor,
} from './process-group';
import { formatSeconds } from './readiness';
import { sendStopMessage } from './stop-message';
import { reapChildWin, terminateChildWin } from './win-child';

const isWindows = process.platform === 'win32';

/** One spawned child, leader of its own process group, and what we know about it. */
export interface ChildHandle {
  pid: number;
  /** The definition it was spawned from (a newer one waits for the next spawn). */
  spec: ServiceSpec;
  proc: ResultPromise;
  exit: ExitInfo | null;
  exited: Promise<ExitInfo>;
  /** Set once we end it ourselves (stop, readiness timeout): its exit is then not a crash. */
  expected: boolean;
  /** Aborted when the child exits or is being stopped, to end a readiness wait early. */
  readiness: AbortController;
  /** The pid file write; awaited before the file is removed so the two never race. */
  pidFile: Promise<unknown>;
  /** Its descendants, recorded while it runs, to reach those that leave its group at stop. */
  descendants: DescendantTracker;
}

/** What spawnChild reports back to its owner. */
export interface ChildHooks {
  runDir: string;
  now: () => number;
  onOutput: (stream: OutputStream, chunk: Buffer) => void;
  onExit: (child: ChildHandle) => void;
}

/**
 * Spawn `spec` with exactly `env` in a new process group and write its pid file. Returns the
 * error code / message instead when the program could not be spawned at all.
 */
export async function spawnChild(
  spec: ServiceSpec & { command: string },
  env: Record<string, string>,
  hooks: ChildHooks,
): Promise<ChildHandle | { error: string }> {
  // Descendants inherit the tag unless they clear their environment: the one mark that
  // survives a double fork (see descendants.ts). It names processes; it is not a secret.
  const tag = newTag();
  const proc = execa(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...env, [TAG_VARIABLE]: tag },
    extendEnv: false, // exactly its own env, never the app's (which may hold secrets)
    // Own process group: stop and reclaim reach grandchildren too. Not on Windows: there it
    // means DETACHED_PROCESS (no console), and every console program the service starts would
    // then open a visible console window of its own (nodejs/node#21825); stops there walk the
    // process tree instead (win-stop.ts).
    detached: !isWindows,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false, // output goes to listeners, never accumulated in memory
    reject: false,
    windowsHide: true,
  });
  // execa's promise also waits for grandchildren that hold the pipes; 'exit' is what we track.
  proc.catch(() => undefined);
  if (proc.pid === undefined) {
    const result = await proc;
    return { error: String(result.code ?? result.shortMessage ?? 'unknown error') };
  }
  let resolveExited: (exit: ExitInfo) => void = () => undefined;
  const child: ChildHandle = {
    pid: proc.pid,
    spec,
    proc,
    exit: null,
    exited: new Promise((resolve) => (resolveExited = resolve)),
    expected: false,
    readiness: new AbortController(),
    pidFile: Promise.resolve(),
    descendants: new DescendantTracker({ pid: proc.pid, start: processStartTicks(proc.pid) }, tag),
  };
  child.descendants.watch();
  const toBuffer = (chunk: Buffer | string): Buffer =>
    typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  proc.stdout?.on('data', (chunk: Buffer) => hooks.onOutput('stdout', toBuffer(chunk)));
  proc.stderr?.on('data', (chunk: Buffer) => hooks.onOutput('stderr', toBuffer(chunk)));
  proc.stdin?.on('error', () => undefined); // EPIPE when the child is gone: expected
  proc.on('exit', (code, signal) => {
    child.exit = { code, signal };
    child.readiness.abort();
    resolveExited(child.exit);
    hooks.onExit(child);
  });
  child.pidFile = writePidFile(
    hooks.runDir,
    { pid: child.pid, name: spec.name, command: [spec.command, ...spec.args], tag },
    hooks.now,
  ).catch(() => null);
  return child;
}

/**
 * One thing the app did to make a child stop, for its log and the journal. `what` is the
 * sentence without the reason: "SIGTERM to pid 123 (group)", "SIGKILL to pid 123 after 5 s
 * grace: still running".
 */
export interface SignalReport {
  signal: NodeJS.Signals | 'stdin';
  pid: number;
  what: string;
}

/** Receives each SignalReport as the signal is sent. */
export type SignalSink = (report: SignalReport) => void;

const escapeeNote = (n: number): string =>
  n === 0 ? '' : ` and ${n} helper${n === 1 ? '' : 's'} that left its group`;

/**
 * Apply the child's stop strategy, SIGKILL the group after the grace time, and wait until no
 * process of the group is left. Descendants that left the group (setsid, double fork) get
 * SIGTERM right after the group is asked to stop and SIGKILL at the same deadline. Returns true
 * when SIGKILL was needed for the child itself. `report` hears every signal sent.
 */
export async function terminateChild(
  child: ChildHandle,
  runDir: string,
  report: SignalSink = () => undefined,
): Promise<boolean> {
  if (isWindows) return terminateChildWin(child, runDir, report);
  const stop = child.spec.stop;
  let forced = false;
  let escaped: Escapee[] = [];
  if (!child.exit) {
    // Scanned while the child is alive: after the stop its escaped helpers lose their parent.
    escaped = await child.descendants.findEscaped();
    if (stop.kind === 'signal') {
      signalGroup(child.pid, stop.signal);
      report({
        signal: stop.signal,
        pid: child.pid,
        what: `${stop.signal} to pid ${child.pid} (group)${escapeeNote(escaped.length)}`,
      });
    } else {
      sendStopMessage(child, stop.message, report);
      if (escaped.length > 0) {
        report({
          signal: 'SIGTERM',
          pid: child.pid,
          what: `SIGTERM to ${escaped.length} helper${escaped.length === 1 ? '' : 's'} of pid ${child.pid} that left its group`,
        });
      }
    }
    // A service that stops by message is not signalled, but what escaped it cannot hear it.
    signalEscapees(escaped, stop.kind === 'signal' ? stop.signal : 'SIGTERM');
    await waitFor(
      () => child.exit !== null && !isGroupAlive(child.pid) && !anyEscapeeAlive(escaped),
      stop.graceMs,
    );
    forced = child.exit === null;
  }
  await reapChild(child, runDir, escaped, (target, left) =>
    report({
      signal: 'SIGKILL',
      pid: child.pid,
      what: `${target} after ${formatSeconds(stop.graceMs)} grace${left}`,
    }),
  );
  return forced;
}

/**
 * SIGKILL whatever is left of the child's group (grandchildren too) and of its descendants that
 * left the group, then drop its pid file. `escaped`: those already found by a stop in progress.
 * `report` hears what was killed ("SIGKILL to pid 123 (group)", ": still running"), if anything.
 */
export async function reapChild(
  child: ChildHandle,
  runDir: string,
  escaped: readonly Escapee[] = [],
  report: (target: string, left: string) => void = () => undefined,
): Promise<void> {
  if (isWindows) return reapChildWin(child, runDir, report);
  // Searched again: helpers may have been started (or escaped) during the grace time.
  const all = mergeEscapees(escaped, await child.descendants.findEscaped());
  child.descendants.unwatch();
  // Only signal a group we know still exists: its number could be reused once it is empty.
  const leaderAlive = child.exit === null;
  const groupAlive = leaderAlive || isGroupAlive(child.pid);
  if (groupAlive) signalGroup(child.pid, 'SIGKILL');
  const escapees = all.filter((e) => isProcessAlive(e.pid)).length;
  signalEscapees(all, 'SIGKILL');
  if (groupAlive || escapees > 0) {
    const target = groupAlive ? `SIGKILL to pid ${child.pid} (group)` : `SIGKILL`;
    const left = leaderAlive
      ? ': still running'
      : groupAlive
        ? ': it had exited, processes it started were still running'
        : '';
    const helpers =
      escapees === 0
        ? ''
        : `${groupAlive ? ' and' : ' to'} ${escapees} helper${escapees === 1 ? '' : 's'} that left its group`;
    report(`${target}${helpers}`, left);
  }
  await Promise.race([child.exited, sleep(5_000)]);
  await waitFor(() => !isGroupAlive(child.pid) && !anyEscapeeAlive(all), 2_000);
  await child.pidFile;
  await removePidFile(runDir, child.spec.name, child.pid).catch(() => undefined);
}
