/** What fan-out needs of a connection (Connection implements it; tests pass plain objects). */
export interface FanOutTarget {
  queue: { readonly isClosed: boolean; readonly queuedBytes: number };
  /** Live log lines dropped for this client since its last delivered batch. */
  skippedLogLines: number;
  sendEvent(frame: string): void;
}

/**
 * Send one core event to every open connection. A client with more than `logSoftCapBytes`
 * waiting loses live `logs:lines` batches (never the file), counted and reported as `skipped`
 * in its next batch; every other event is queued and so counts toward the hard cap.
 */
export function fanOut(
  targets: Iterable<FanOutTarget>,
  channel: string,
  payload: unknown,
  logSoftCapBytes: number,
): void {
  let frame: string | null = null;
  for (const target of targets) {
    if (target.queue.isClosed) continue;
    if (channel === 'logs:lines') {
      const batch = payload as { lines: unknown[]; skipped: number };
      if (target.queue.queuedBytes > logSoftCapBytes) {
        target.skippedLogLines += batch.lines.length + batch.skipped;
        continue;
      }
      const behind = target.skippedLogLines;
      if (behind > 0) {
        target.skippedLogLines = 0;
        const withSkips = { ...batch, skipped: batch.skipped + behind };
        target.sendEvent(JSON.stringify({ event: channel, payload: withSkips }));
        continue;
      }
    }
    frame ??= JSON.stringify({ event: channel, payload });
    target.sendEvent(frame);
  }
}
