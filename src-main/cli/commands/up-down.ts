import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { SecretsSnapshot } from '../../../src-shared/model/secret';
import type { StackSnapshot } from '../../../src-shared/model/service';
import { HOST_NODE_FLAGS } from '../../browser-host/node-flags';
import { ensurePrivateDir } from '../../core/private-files';
import { NotRunningError, type AppClient } from '../client';
import { AppError, EXIT, valueOf, type CommandContext } from '../context';
import { json } from '../output';
import type { SecretInput } from '../prompt';
import { readSecret } from '../prompt';
import { servicesTable } from './status';

/**
 * Not supervisor/process-group's isProcessAlive: that module pulls execa and the Windows process
 * table into the CLI, which loads none of the core. A zombie counts as alive here; `down` waits
 * for processes that are not its children, which their own parents (or init) reap.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Connect, retrying while the host starts; null once `child` exited or the time is up. */
async function waitForApp(ctx: CommandContext, child: ChildProcess): Promise<AppClient | null> {
  const deadline = Date.now() + ctx.args.timeoutSec * 1000;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      return await ctx.connect();
    } catch (error) {
      if (!(error instanceof NotRunningError)) throw error;
      await sleep(200);
    }
  }
  return null;
}

/**
 * Follow the stack until it is ready or failed; a service waiting for a required key gets it
 * asked for here (masked), as the old `stigmer local start` did, and sent with secrets:set.
 */
async function settle(
  ctx: CommandContext,
  client: AppClient,
  input: SecretInput,
): Promise<StackSnapshot> {
  let wake = (): void => undefined;
  client.onEvent((event) => event === 'services:changed' && wake());
  await client.subscribe(['services:changed']);
  const asked = new Set<string>();
  const deadline = Date.now() + ctx.args.timeoutSec * 1000;
  for (;;) {
    const snap = valueOf(await client.call<StackSnapshot>('stack:snapshot'));
    if (snap.services.some((s) => s.state === 'needs-key')) {
      const keys = valueOf(await client.call<SecretsSnapshot>('secrets:snapshot'));
      const name = keys.needed.find((n) => !asked.has(n));
      if (name) {
        asked.add(name);
        ctx.out.err(
          `${name} is needed by ${(keys.consumers[name] ?? []).join(', ') || 'the stack'}.\n`,
        );
        const value = await readSecret(`${name} (input hidden): `, input);
        if (!value) {
          ctx.out.err(`No ${name} given; set it later with stigmer-local keys set ${name}.\n`);
        } else {
          const entry = { name, value, remember: keys.keychain.available, requireTouchId: false };
          valueOf(await client.call('secrets:set', entry));
        }
        continue;
      }
    }
    const waiting = snap.services.some((s) =>
      ['starting', 'waiting', 'backoff', 'stopping'].includes(s.state),
    );
    if (!waiting || Date.now() > deadline) return snap;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      wake = () => (clearTimeout(timer), resolve());
    });
  }
}

/**
 * `up [--foreground]`: run the core with no window (the browser host, under the data dir's
 * instance lock) where no app answers; in the background with its output in
 * <userData>/logs/host.log, or in this terminal with --foreground. An app already running is
 * not an error: its URL is printed and the exit code is 0.
 */
export async function upCommand(ctx: CommandContext, input: SecretInput): Promise<number> {
  try {
    const running = await ctx.connect();
    const shown = valueOf(await running.call<{ url: string | null }>('app:show'));
    running.close();
    const what = `Stigmer Local is already running for ${ctx.userDataDir} (pid ${running.hello.pid}, ${running.hello.host === 'browser' ? 'headless' : 'desktop app'}); nothing was started.`;
    if (ctx.args.json)
      ctx.out.out(
        json({ started: false, alreadyRunning: true, pid: running.hello.pid, url: shown.url }),
      );
    else ctx.out.out(`${what}${shown.url ? `\nOpen: ${shown.url}` : ''}\n`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof NotRunningError)) throw error;
  }
  const hostScript = join(dirname(fileURLToPath(import.meta.url)), 'browser-host.js');
  if (!existsSync(hostScript)) {
    throw new AppError(
      `Headless mode needs ${hostScript}, which this installation does not include (the desktop app ships without it). Open the desktop app instead, or run stigmer-local from a source checkout (npm run build).`,
    );
  }
  const argv = [
    ...HOST_NODE_FLAGS,
    hostScript,
    '--user-data-dir',
    ctx.userDataDir,
    '--start-stack',
  ];
  let child: ChildProcess;
  if (ctx.args.foreground) {
    // Ctrl-C reaches the host too (same process group); it stops its stack, then we exit with it.
    process.on('SIGINT', () => undefined);
    child = spawn(process.execPath, argv, { stdio: ['ignore', 'inherit', 'inherit'] });
  } else {
    const logDir = join(ctx.userDataDir, 'logs');
    await ensurePrivateDir(logDir);
    const fd = openSync(join(logDir, 'host.log'), 'a', 0o600);
    child = spawn(process.execPath, argv, { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.unref();
  }
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  const client = await waitForApp(ctx, child);
  if (!client) {
    const code = child.exitCode ?? 1;
    const where = ctx.args.foreground ? 'above' : `in ${join(ctx.userDataDir, 'logs', 'host.log')}`;
    ctx.out.err(`The headless host did not come up (exit ${code}); its reason is ${where}.\n`);
    return EXIT.failed;
  }
  const snap = await settle(ctx, client, input);
  const shown = valueOf(await client.call<{ url: string | null }>('app:show'));
  client.close();
  if (ctx.args.json) {
    ctx.out.out(json({ started: true, pid: client.hello.pid, url: shown.url, state: snap.state }));
  } else {
    ctx.out.out(
      `${servicesTable(snap, ctx)}\nStigmer Local is running headless (pid ${client.hello.pid}). The window: ${shown.url}\nStop it with stigmer-local down.\n`,
    );
  }
  if (ctx.args.foreground) return exited;
  return snap.state === 'ready' ? EXIT.ok : EXIT.failed;
}

/** `down`: app:quit over the socket, then wait until the app and every service it ran are gone. */
export async function downCommand(ctx: CommandContext): Promise<number> {
  let client: AppClient;
  try {
    client = await ctx.connect();
  } catch (error) {
    if (!(error instanceof NotRunningError)) throw error;
    ctx.out.err(`${error.message}\n`);
    return EXIT.notRunning;
  }
  const snap = valueOf(await client.call<StackSnapshot>('stack:snapshot'));
  const pids = [client.hello.pid, ...snap.services.flatMap((s) => (s.pid === null ? [] : [s.pid]))];
  valueOf(await client.call('app:quit'));
  await client.closed;
  const deadline = Date.now() + ctx.args.timeoutSec * 1000;
  while (pids.some(alive) && Date.now() < deadline) await sleep(100);
  const left = pids.filter(alive);
  if (ctx.args.json) ctx.out.out(json({ stopped: left.length === 0, left }));
  if (left.length) {
    ctx.out.err(
      `Still running after ${ctx.args.timeoutSec} s: pid ${left.join(', ')}. Check them with ps; stigmer-local down again waits longer with --timeout.\n`,
    );
    return EXIT.failed;
  }
  if (!ctx.args.json)
    ctx.out.out(`Stigmer Local (pid ${client.hello.pid}) and its services have stopped.\n`);
  return EXIT.ok;
}
