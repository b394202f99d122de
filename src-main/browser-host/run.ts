import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAppCore } from '../core/app-core';
import { InstanceLockedError, acquireInstanceLock } from '../core/instance-lock';
import { startBrowserHost } from './server';
import { browserCliAdvice } from '../socket-host/cli-install';
import { startSocketHost, type SocketHost } from '../socket-host/server';
import { defaultUserDataDir } from '../socket-host/user-data-dir';

/** Where the browser host writes what it has to say. */
export interface BrowserHostIo {
  out(text: string): void;
  err(text: string): void;
}

/** What `runBrowserHost` ended in: done with an exit code, or serving until stopped. */
export type BrowserHostRun =
  | { kind: 'exit'; code: number }
  | {
      kind: 'running';
      url: string;
      userDataDir: string;
      /** Settles once `--start-stack` has brought the stack up (or reported why not). */
      started: Promise<void>;
      /** Stop the stack, close the host and release the data dir (clean exit). */
      stop(): Promise<void>;
      /** Release the data dir's lock synchronously (for a process 'exit' handler). */
      releaseSync(): void;
    };

/** Exit code of a host that found another instance running on its data dir. */
export const EXIT_ALREADY_RUNNING = 3;
/** Exit code for bad command-line arguments. */
export const EXIT_USAGE = 2;

const USAGE =
  'Usage: node dist/main/browser-host.js [--port N] [--user-data-dir DIR] [--log-dir DIR] [--start-stack]\n' +
  'Runs the Stigmer Local core and serves its window on http://127.0.0.1 (open the printed URL).\n';

/** The platform's usual app-data folder for Stigmer Local (shared with the CLI). */
export { defaultUserDataDir };

/**
 * The browser host from its command line to a running stack: takes the data dir's instance
 * lock first (a second host on the same dir is refused before it can touch the first one's
 * children or journal), then builds the core and serves the window.
 */
export async function runBrowserHost(
  argv: string[],
  io: BrowserHostIo,
  options: {
    rendererDir: string;
    /** dist/main/cli.js, named by `cli:install`. */
    cliScript?: string;
    /** `app:quit` from the CLI: the caller stops the host as on SIGTERM. */
    onQuit?: () => void;
  },
): Promise<BrowserHostRun> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '0' },
        'user-data-dir': { type: 'string' },
        'log-dir': { type: 'string' },
        'start-stack': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return { kind: 'exit', code: EXIT_USAGE };
  }
  if (values.help) {
    io.out(USAGE);
    return { kind: 'exit', code: 0 };
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`--port must be a number from 0 to 65535 (0 picks a free one); got "${values.port}".\n`);
    return { kind: 'exit', code: EXIT_USAGE };
  }
  const userDataDir = resolve(values['user-data-dir'] ?? defaultUserDataDir());

  let lock;
  try {
    lock = await acquireInstanceLock({ userDataDir, host: 'browser' });
  } catch (error) {
    if (!(error instanceof InstanceLockedError)) throw error;
    io.err(
      `${error.message}\n` +
        'To run a separate one beside it, pass --user-data-dir with another folder.\n',
    );
    return { kind: 'exit', code: EXIT_ALREADY_RUNNING };
  }

  try {
    let hostUrl: string | null = null;
    const core = await createAppCore({
      userDataDir,
      logDir: resolve(values['log-dir'] ?? join(userDataDir, 'logs')),
      env: process.env,
      host: 'browser',
      version: process.env.npm_package_version ?? '0.1.0',
      // The app's own Node is the Node running this host (often not the >= 22.13 the runner
      // needs): one candidate after Settings → Programs → Node and STIGMER_NODE.
      nodeExecutable: process.execPath,
      nodeEnv: {},
      nodeVersion: process.versions.node,
      homeDir: homedir(),
      hostActions: {
        quit: () => options.onQuit?.(),
        show: async () => ({ shown: false, url: hostUrl }),
        installCli: async () => browserCliAdvice(options.cliScript ?? 'dist/main/cli.js'),
      },
    });
    const host = await startBrowserHost({
      core,
      rendererDir: options.rendererDir,
      port,
      onInternalError: (channel, error) => io.err(`[browser-host] ${channel}: ${String(error)}\n`),
    }).catch(async (error: unknown) => {
      await core.shutdown();
      throw error;
    });
    hostUrl = host.url;
    // The `stigmer-local` CLI's way in; without it the window still works, so not fatal.
    const cliHost: SocketHost | null = await startSocketHost({
      core,
      userDataDir,
      host: 'browser',
      version: process.env.npm_package_version ?? '0.1.0',
      onInternalError: (channel, error) => io.err(`[socket-host] ${channel}: ${String(error)}\n`),
    }).catch((error: unknown) => {
      const why = error instanceof Error ? error.message : String(error);
      io.err(`The command-line socket is off: ${why}\n`);
      return null;
    });
    // A second host started later prints this URL instead of starting.
    await lock.setUrl(host.url);
    io.out(`Stigmer Local is running. Open this URL in a browser:\n${host.url}\n`);
    // Not awaited: the caller installs its signal handlers while the stack comes up.
    const started = values['start-stack']
      ? core.startStack('cli').then(
          () => undefined,
          (e: Error) => io.err(`${e.message}\n`),
        )
      : Promise.resolve();

    let stopping: Promise<void> | null = null;
    const held = lock;
    return {
      kind: 'running',
      url: host.url,
      userDataDir,
      started,
      stop: () =>
        (stopping ??= (async () => {
          try {
            await cliHost?.close();
            await host.close();
            await core.shutdown();
          } finally {
            await held.release();
          }
        })()),
      releaseSync: () => held.releaseSync(),
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
