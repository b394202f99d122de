import type { ChildHandle, SignalReport } from './child-handle';
import type { LineTail, OutputStream } from './line-tail';
import type { ServiceProcessOptions, SignalEvent } from './service-process-types';

/** Pause a child's pipes until `until` settles (log capture caught up). */
export function pauseOutput(child: ChildHandle, until: Promise<void>): void {
  const { stdout, stderr } = child.proc;
  if (stdout?.isPaused() && stderr?.isPaused()) return;
  stdout?.pause();
  stderr?.pause();
  void until.then(() => {
    stdout?.resume();
    stderr?.resume();
  });
}

/** The onOutput of one spawn: keep the tail, pass the chunk on, pause while capture is behind. */
export function outputHandler(
  tail: LineTail,
  opts: ServiceProcessOptions,
  handle: () => ChildHandle | null,
): (stream: OutputStream, chunk: Buffer) => void {
  return (stream, chunk) => {
    // The tail first: it copies what it keeps, and capture may hand the chunk to its worker.
    tail.push(stream, chunk);
    opts.onOutput(stream, chunk);
    const behind = opts.outputBackpressure?.();
    const child = handle();
    if (behind && child) pauseOutput(child, behind);
  };
}

/** A signal went out: tell the owner with the reason, as one sentence. */
export function reportSignal(
  onSignal: ((event: SignalEvent) => void) | undefined,
  report: SignalReport,
  reason: string,
): void {
  // "SIGKILL … grace: still running" already says why it was needed; the reason follows it.
  const detail = report.what.includes(': ')
    ? `${report.what} (${reason})`
    : `${report.what}: ${reason}`;
  try {
    onSignal?.({ ...report, reason, detail });
  } catch {
    // A broken journal hook must not break stopping.
  }
}
