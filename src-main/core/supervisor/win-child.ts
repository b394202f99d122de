/**
 * terminateChild / reapChild for Windows (child-handle.ts hands over to these on win32): the
 * same contract (stdin stop message or close request, kill after the grace time, wait, drop the
 * pid file, report every step), built on win-stop.ts's taskkill sequence instead of signals.
 */
import type { ChildHandle, SignalSink } from './child-handle';
import { removePidFile, type PidFileRecord } from './pid-file';
import { sleep } from './process-group';
import { formatSeconds } from './readiness';
import { sendStopMessage } from './stop-message';
import { defaultWinIo, stopTree, type WinIo, type WinTreeRoot } from './win-stop';
import { parseStartTimeToken } from './win-process';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 'es'}`;

/** The child's tree root: its pid and the creation time its pid file recorded (if any). */
async function rootOf(child: ChildHandle): Promise<WinTreeRoot> {
  const record = (await child.pidFile.catch(() => null)) as PidFileRecord | null;
  const created = record?.pid === child.pid ? parseStartTimeToken(record.startTime) : null;
  return { pid: child.pid, created };
}

/** The force step's sentence without the reason, like the SIGKILL lines on Linux. */
function forceWhat(
  pid: number,
  pids: readonly number[],
  leaderAlive: boolean,
  after: string,
): string {
  const others = pids.filter((p) => p !== pid).length;
  if (leaderAlive) {
    const helpers = others === 0 ? '' : ` and ${plural(others, 'process')} it started`;
    return `taskkill /F /T to pid ${pid}${helpers}${after}: still running`;
  }
  return `taskkill /F /T to ${plural(others, 'process')} pid ${pid} started: it had exited, they were still running`;
}

/** Windows terminateChild: see child-handle.ts. Returns true when the child had to be killed. */
export async function terminateChildWin(
  child: ChildHandle,
  runDir: string,
  report: SignalSink,
  io: WinIo = defaultWinIo,
): Promise<boolean> {
  const stop = child.spec.stop;
  if (child.exit) {
    // Exited on its own: what it started may still run; the clean-up takes it.
    await reapChildWin(
      child,
      runDir,
      (target, left) => report({ signal: 'SIGKILL', pid: child.pid, what: `${target}${left}` }),
      io,
    );
    return false;
  }
  if (stop.kind !== 'signal') {
    sendStopMessage(child, stop.message, report);
  }
  let waited = stop.kind !== 'signal';
  const result = await stopTree(
    await rootOf(child),
    {
      graceMs: stop.graceMs,
      ask: stop.kind === 'signal' ? 'taskkill' : 'none',
      leaderGone: () => child.exit !== null,
      leaderHeld: true,
    },
    {
      onClose: (delivered) => {
        waited = delivered;
        const signal = stop.kind === 'signal' ? stop.signal : 'SIGTERM';
        report({
          signal,
          pid: child.pid,
          what: delivered
            ? `close request (taskkill /T; Windows has no ${signal}) to pid ${child.pid} and the processes it started`
            : `close request (taskkill /T) to pid ${child.pid}: a console program has no window to close, so it is ended at once`,
        });
      },
      onForce: (pids, leaderAlive) =>
        report({
          signal: 'SIGKILL',
          pid: child.pid,
          what: forceWhat(
            child.pid,
            pids,
            leaderAlive,
            waited ? ` after ${formatSeconds(stop.graceMs)} grace` : '',
          ),
        }),
    },
    io,
  );
  await finish(child, runDir);
  return result.forced;
}

/**
 * Windows reapChild: kill whatever is left of the child's tree at once (crash clean-up), then
 * drop its pid file. `report` hears "taskkill /F /T to ...", ": still running", if anything.
 */
export async function reapChildWin(
  child: ChildHandle,
  runDir: string,
  report: (target: string, left: string) => void = () => undefined,
  io: WinIo = defaultWinIo,
): Promise<void> {
  await stopTree(
    await rootOf(child),
    { graceMs: 0, ask: 'none', leaderGone: () => child.exit !== null, leaderHeld: true },
    {
      onForce: (pids, leaderAlive) => {
        const what = forceWhat(child.pid, pids, leaderAlive, '');
        const cut = what.lastIndexOf(': ');
        report(what.slice(0, cut), what.slice(cut));
      },
    },
    io,
  );
  await finish(child, runDir);
}

async function finish(child: ChildHandle, runDir: string): Promise<void> {
  child.descendants.unwatch();
  await Promise.race([child.exited, sleep(5_000)]);
  await child.pidFile;
  await removePidFile(runDir, child.spec.name, child.pid).catch(() => undefined);
}
