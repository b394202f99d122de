/**
 * An address outside the stack that a service waits for before it starts: fixed, or read at
 * each spawn from one of the service's own variables (the runner's TEMPORAL_SERVICE_ADDRESS, so
 * a stack file that points it elsewhere moves the wait with it).
 */
export type WaitFor = {
  /** What listens there, as the user knows it ("Temporal"); the address when not given. */
  label: string;
} & ({ host: string; port: number } | { env: string });

/** The address `waitFor` names for a service with `env`, or null (nothing to wait for). */
export function resolveWaitFor(
  waitFor: WaitFor | null | undefined,
  env: Readonly<Record<string, string>>,
): { host: string; port: number; label: string } | null {
  if (!waitFor) return null;
  if ('host' in waitFor) return waitFor;
  const at = parseHostPort(env[waitFor.env] ?? '');
  return at === null ? null : { ...at, label: waitFor.label };
}

/**
 * "host:port" (or "[v6]:port") -> host and port, or null when it is not one. Used for
 * TEMPORAL_SERVICE_ADDRESS and the stack file's `wait_for: { tcp }`, so both read the same way.
 */
export function parseHostPort(value: string): { host: string; port: number } | null {
  const m = /^\s*(?:\[([^\]]+)\]|([^\s:[\]]+)):(\d{1,5})\s*$/.exec(value);
  if (!m) return null;
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host: m[1] ?? m[2] ?? '', port };
}

/** "127.0.0.1:7233" / "[::1]:7233": the address as the user would type it. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
