import type { ChildHandle, SignalSink } from './child-handle';

/**
 * The stdin stop: write the service's stop message (if any) and close its stdin, then report it.
 * Shared by the signal (POSIX) and taskkill (Windows) stop paths, which differ only after this.
 */
export function sendStopMessage(
  child: ChildHandle,
  message: string | null,
  report: SignalSink,
): void {
  try {
    if (message !== null) child.proc.stdin?.write(`${message}\n`);
    child.proc.stdin?.end();
  } catch {
    // The pipe is already closed; the kill after the grace time still ends it.
  }
  const sent = message === null ? 'closed its stdin' : `sent ${message} and closed its stdin`;
  report({ signal: 'stdin', pid: child.pid, what: `${sent} (pid ${child.pid})` });
}
