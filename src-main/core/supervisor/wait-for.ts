import { connect } from 'node:net';
import { formatHostPort } from '../stack/host-port';

/** How long one probe may take before the address counts as closed. */
export const PROBE_TIMEOUT_MS = 1_000;
/** At most one probe per this interval: a waiting service must not load the machine or the network. */
export const PROBE_INTERVAL_MS = 1_000;

/**
 * One plain TCP connect to host:port: true when something accepts. Nothing is sent, and the
 * socket is closed at once, so the program there sees a connection open and close (no log spam
 * here: a refusal is the normal answer while waiting).
 */
export function tcpOpen(
  host: string,
  port: number,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(open);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The address as shown in the row and the journal: "127.0.0.1:7233". */
export function waitAddress(w: { host: string; port: number }): string {
  return formatHostPort(w.host, w.port);
}
