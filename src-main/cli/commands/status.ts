import type { StackSnapshot, ServiceStatus } from '../../../src-shared/model/service';
import { NotRunningError } from '../client';
import { EXIT, valueOf, type CommandContext } from '../context';
import { json, paint, stateStyle, table } from '../output';

/** The one reason a service is not ready, in words (or '' when it is fine). */
export function reasonOf(s: ServiceStatus): string {
  if (s.failure) return `${s.failure.reason} ${s.failure.fix}`.trim();
  if (s.state === 'needs-key')
    return `needs ${s.neededKeys.join(', ')} (stigmer-local keys set NAME)`;
  if (s.state === 'held') return s.heldReason ?? 'held: the audit journal cannot be written';
  if (s.state === 'waiting' && s.waitingFor) return `waiting for ${s.waitingFor.address}`;
  if (s.stoppedBy) return `stopped with ${s.stoppedBy.displayName}`;
  if (['failed', 'crashed', 'backoff'].includes(s.state)) return s.lastError ?? '';
  return '';
}

/** The stable `--json` shape of one service. */
export function serviceJson(s: ServiceStatus): Record<string, unknown> {
  return {
    name: s.name,
    state: s.state,
    critical: s.critical,
    pid: s.pid,
    ports: s.ports,
    restarts: s.restarts,
    readyAt: s.readyAt,
    reason: reasonOf(s) || null,
  };
}

/** Aligned table of services with their state, pid, ports and reason. */
export function servicesTable(snapshot: StackSnapshot, ctx: CommandContext): string {
  const rows = snapshot.services.map((s) => [
    s.name,
    paint(ctx.out, stateStyle(s.state), s.state),
    s.pid === null ? '-' : String(s.pid),
    s.ports.join(',') || '-',
    reasonOf(s),
  ]);
  return table(['SERVICE', 'STATE', 'PID', 'PORTS', 'REASON'], rows, ctx.out);
}

/** `status`: exit 0 when the whole stack is ready, 1 otherwise, 3 when the app is not running. */
export async function statusCommand(ctx: CommandContext): Promise<number> {
  let client;
  try {
    client = await ctx.connect();
  } catch (error) {
    if (!(error instanceof NotRunningError)) throw error;
    if (ctx.args.json) ctx.out.out(json({ running: false, state: null, services: [] }));
    else ctx.out.err(`${error.message}\n`);
    return EXIT.notRunning;
  }
  try {
    const snapshot = valueOf(await client.call<StackSnapshot>('stack:snapshot'));
    const { host, pid, version } = client.hello;
    if (ctx.args.json) {
      ctx.out.out(
        json({
          running: true,
          host,
          pid,
          version,
          state: snapshot.state,
          services: snapshot.services.map(serviceJson),
        }),
      );
    } else {
      const where = host === 'browser' ? 'headless (browser host)' : 'desktop app';
      ctx.out.out(
        `Stigmer Local ${version}, ${where}, pid ${pid}: stack ${paint(ctx.out, stateStyle(snapshot.state), snapshot.state)}\n\n`,
      );
      ctx.out.out(servicesTable(snapshot, ctx));
    }
    return snapshot.state === 'ready' ? EXIT.ok : EXIT.failed;
  } finally {
    client.close();
  }
}
