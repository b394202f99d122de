/** What the host refused; each kind is counted separately in the summary line. */
export type RefusalKind =
  | 'forbidden' // wrong token, foreign Origin or Host, wrong path on the upgrade
  | 'bad-request' // an HTTP request or WebSocket handshake that does not parse
  | 'bad-frame' // a WebSocket protocol violation (the ws library closed the socket)
  | 'bad-message' // a frame that is not a request: binary, not JSON, not an object, no id
  | 'over-cap' // a client that did not read its replies
  | 'socket-error';

/** Options of the refusal log. */
export interface RefusalLogOptions {
  /** Where lines go (stderr in the CLI, an array in tests). */
  write: (line: string) => void;
  /** Lines printed per window; the rest are counted into one summary line. */
  maxLines?: number;
  windowMs?: number;
  now?: () => number;
}

/** A rate-limited log of refused input, safe to call on every refusal. */
export interface RefusalLog {
  /** Log one refusal. `detail` must never hold a token or a message body: only what was wrong. */
  refuse(kind: RefusalKind, detail: string): void;
  /** Print the summary of refusals held back so far (called by the window timer and on close). */
  flush(): void;
  /** Every refusal seen since start, by kind (printed or not). */
  readonly totals: Readonly<Partial<Record<RefusalKind, number>>>;
  close(): void;
}

const MAX_DETAIL = 200;

/** Strip control characters and cut, as a last line of defence against printing hostile text. */
function safeDetail(detail: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = detail.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL)}…` : flat;
}

/**
 * A flood of bad input must not become a flood of log lines (that would be its own denial of
 * service on the disk and the terminal), yet every refusal is accounted for: at most `maxLines`
 * lines per window, then one "N more refused" line with the count of each kind.
 */
export function createRefusalLog(options: RefusalLogOptions): RefusalLog {
  const maxLines = options.maxLines ?? 20;
  const windowMs = options.windowMs ?? 10_000;
  const now = options.now ?? Date.now;
  const totals: Partial<Record<RefusalKind, number>> = {};
  let windowStart = -Infinity;
  let printed = 0;
  let held: Partial<Record<RefusalKind, number>> = {};
  let heldCount = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const write = (line: string): void => {
    try {
      options.write(`[browser-host] ${line}`);
    } catch {
      // Logging is best effort; a closed stderr must not take the host down.
    }
  };

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (heldCount > 0) {
      const kinds = Object.entries(held)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ');
      const seconds = Math.round(windowMs / 1000);
      write(
        `${heldCount} more refused in the last ${seconds} s (${kinds}); only the first ${maxLines} of each ${seconds} s are printed.`,
      );
    }
    held = {};
    heldCount = 0;
  }

  return {
    refuse(kind, detail) {
      totals[kind] = (totals[kind] ?? 0) + 1;
      const t = now();
      if (t - windowStart >= windowMs) {
        flush();
        windowStart = t;
        printed = 0;
      }
      if (printed < maxLines) {
        printed++;
        write(`refused (${kind}): ${safeDetail(detail)}`);
        return;
      }
      held[kind] = (held[kind] ?? 0) + 1;
      heldCount++;
      if (!timer) {
        timer = setTimeout(flush, Math.max(0, windowStart + windowMs - t));
        timer.unref?.();
      }
    },
    flush,
    totals,
    close: flush,
  };
}
