import type { ServiceState, StackSnapshot } from '../../../src-shared/model/service';
import type { AppClient } from '../client';
import { AppError, EXIT, UsageError, valueOf, type CommandContext } from '../context';
import { json, paint, stateStyle } from '../output';
import { reasonOf, serviceJson, servicesTable } from './status';

type Verb = 'start' | 'stop' | 'restart';

/** States after which waiting is over: done, or failed for a reason that waiting cannot fix. */
const SETTLED: Record<'up' | 'down', { good: ServiceState[]; bad: ServiceState[] }> = {
  up: { good: ['ready'], bad: ['failed', 'needs-key', 'held', 'not-installed'] },
  down: { good: ['stopped', 'not-installed', 'failed', 'needs-key', 'held'], bad: [] },
};

/** Send the request(s) for one verb; the snapshot after the last. */
async function request(client: AppClient, verb: Verb, names: string[]): Promise<StackSnapshot> {
  if (names.length === 0) {
    if (verb === 'restart') valueOf(await client.call('stack:stop'));
    return valueOf(
      await client.call<StackSnapshot>(verb === 'stop' ? 'stack:stop' : 'stack:start'),
    );
  }
  let last: StackSnapshot | null = null;
  for (const name of names)
    last = valueOf(await client.call<StackSnapshot>(`services:${verb}`, { name }));
  return last!;
}

/**
 * `start|stop|restart [SERVICE…]`: send the request, then follow `services:changed` until every
 * named service (or every installed one) is ready or stopped, or failed for a reason, which is
 * printed. Exit 0 when all got there, 1 when one failed or the wait timed out.
 */
export async function servicesCommand(ctx: CommandContext, verb: Verb): Promise<number> {
  const names = ctx.args.positionals;
  const client = await ctx.connect();
  try {
    const known = valueOf(await client.call<StackSnapshot>('stack:snapshot'));
    const unknown = names.filter((n) => !known.services.some((s) => s.name === n));
    if (unknown.length) {
      const all = known.services.map((s) => s.name).join(', ');
      throw new UsageError(`No service named ${unknown.join(', ')}. The stack has: ${all}.`);
    }
    const want = verb === 'stop' ? 'down' : 'up';
    const targets = (s: StackSnapshot) =>
      s.services.filter((x) =>
        names.length ? names.includes(x.name) : x.state !== 'not-installed',
      );
    const seen = new Map<string, string>();
    let latest: StackSnapshot | null = null;
    let wake: () => void = () => undefined;
    client.onEvent((event, payload) => {
      if (event !== 'services:changed') return;
      latest = payload as StackSnapshot;
      wake();
    });
    await client.subscribe(['services:changed']);
    latest = await request(client, verb, names);

    const deadline = Date.now() + ctx.args.timeoutSec * 1000;
    for (;;) {
      const snap: StackSnapshot = latest;
      const list = targets(snap);
      for (const s of list) {
        const line = `${s.state}${reasonOf(s) ? ` - ${reasonOf(s)}` : ''}`;
        if (seen.get(s.name) === line || ctx.args.json) continue;
        seen.set(s.name, line);
        ctx.out.err(`${s.name.padEnd(18)} ${paint(ctx.out, stateStyle(s.state), line)}\n`);
      }
      const { good, bad } = SETTLED[want];
      const failed = list.filter((s) => bad.includes(s.state));
      const pending = list.filter((s) => !good.includes(s.state) && !bad.includes(s.state));
      if (pending.length === 0 || failed.length > 0 || Date.now() > deadline) {
        const timedOut = pending.length > 0 && failed.length === 0;
        if (ctx.args.json) {
          ctx.out.out(
            json({
              ok: !failed.length && !timedOut,
              state: snap.state,
              services: list.map(serviceJson),
            }),
          );
        } else {
          ctx.out.out(`\n${servicesTable({ ...snap, services: list }, ctx)}`);
          if (timedOut) {
            ctx.out.err(
              `Still not ${want === 'up' ? 'ready' : 'stopped'} after ${ctx.args.timeoutSec} s: ${pending.map((s) => s.name).join(', ')}. Follow it with stigmer-local logs -f, or wait longer with --timeout.\n`,
            );
          }
        }
        return failed.length || timedOut ? EXIT.failed : EXIT.ok;
      }
      const remaining = deadline - Date.now();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 1000));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if ((await Promise.race([client.closed.then(() => true), Promise.resolve(false)])) === true) {
        throw new AppError('Stigmer Local closed the connection before the services settled.');
      }
    }
  } finally {
    client.close();
  }
}
