import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Handlers } from '../../src-shared/ipc/handlers';
import type { AppCore } from '../core/app-core-types';
import { ensurePrivateDir } from '../core/private-files';
import { createRouter } from '../ipc/router';
import { fanOut } from '../browser-host/event-fanout';
import { SocketConnection, type SocketLimits } from './connection';
import { CLI_PROTOCOL_VERSION, CLI_SENDER_URL } from './protocol';
import { cliSocketPath, socketPathProblem } from './socket-path';

/** A running socket host. */
export interface SocketHost {
  path: string;
  /** Open clients and refusals so far (tests, diagnostics). */
  stats(): { clients: number; refusals: number };
  close(): Promise<void>;
}

const MB = 1024 * 1024;

/** Defaults: a full log tail fits a reply; a client that never reads is cut off at 32 MB. */
export const DEFAULT_SOCKET_LIMITS: SocketLimits & { maxClients: number } = {
  maxLineBytes: 1 * MB,
  maxFramesPerSecond: 200,
  maxInFlight: 8,
  sendQueueCapBytes: 32 * MB,
  logBatchSoftCapBytes: 4 * MB,
  writeHighWaterBytes: 1 * MB,
  maxReplyBytes: 16 * MB,
  maxClients: 16,
};

/** Options of the socket host. */
export interface SocketHostOptions {
  core: AppCore;
  userDataDir: string;
  host: 'electron' | 'browser';
  version: string;
  /** Where refusals are logged (rate-limited); never given what a client sent. */
  log?: (line: string) => void;
  onInternalError?: (channel: string, error: unknown) => void;
  limits?: Partial<typeof DEFAULT_SOCKET_LIMITS>;
  /** The path to listen on (default: the data dir's; tests may pass another). */
  path?: string;
}

/**
 * The core's handlers, with the actions the journal records by actor taken as 'cli': the audit
 * trail says a stop came from the terminal, not from the window.
 */
function cliHandlers(core: AppCore): Handlers {
  return {
    ...core.handlers,
    'stack:start': () => core.startStack('cli'),
    'stack:stop': () => core.stopStack('cli'),
    'services:start': ({ name }) => core.startService(name, 'cli'),
    'services:stop': ({ name }) => core.stopService(name, 'cli'),
    'services:restart': ({ name }) => core.restartService(name, 'cli'),
    'audit:retry': () => core.retryAudit('cli'),
    'secrets:lock': () => core.lockKeys('cli'),
  };
}

/** True when something accepts connections on `path` (a live app, not a stale file). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * The third host over the one router: a local socket for the `stigmer-local` CLI. The caller
 * must hold the data dir's instance lock; that is what makes removing a stale socket file (one
 * nobody answers on, left by a crashed app) safe. Only the file mode (0600 in a 0700 dir)
 * guards who may connect: a user who can open it can already read the data dir.
 */
export async function startSocketHost(options: SocketHostOptions): Promise<SocketHost> {
  const limits = { ...DEFAULT_SOCKET_LIMITS, ...options.limits };
  const path = options.path ?? cliSocketPath(options.userDataDir);
  const problem = socketPathProblem(path);
  if (problem) throw new Error(problem);
  const posix = process.platform !== 'win32';
  let refusals = 0;
  let lastLogAt = 0;
  const refuse = (reason: string): void => {
    refusals++;
    // One line a second at most: a flood of garbage must not flood the log too.
    const now = Date.now();
    if (now - lastLogAt < 1000) return;
    lastLogAt = now;
    (options.log ?? ((line) => process.stderr.write(`${line}\n`)))(
      `[socket-host] closed a client: ${reason} (${refusals} so far)`,
    );
  };

  const router = createRouter(cliHandlers(options.core), {
    isTrustedSender: (sender) => sender.url === CLI_SENDER_URL,
    onInternalError: options.onInternalError,
  });
  const hello = {
    hello: 'stigmer-local' as const,
    protocol: CLI_PROTOCOL_VERSION,
    host: options.host,
    pid: process.pid,
    version: options.version,
  };
  const clients = new Set<SocketConnection>();
  const server = createServer({ allowHalfOpen: false }, (socket: Socket) => {
    // First, before anything can fail: a reset is an 'error', which unhandled would crash us.
    socket.on('error', () => socket.destroy());
    if (clients.size >= limits.maxClients) {
      refuse(`over ${limits.maxClients} clients`);
      socket.end(`${JSON.stringify({ error: 'too many command-line clients at once' })}\n`);
      setTimeout(() => socket.destroy(), 2000).unref();
      return;
    }
    const client = new SocketConnection(socket, {
      router,
      limits,
      hello,
      refuse,
      onInternalError: options.onInternalError,
    });
    clients.add(client);
    socket.on('close', () => clients.delete(client));
  });
  server.on('error', (error) => options.onInternalError?.('socket-host', error));

  if (posix) {
    await ensurePrivateDir(dirname(path));
    const existing = await lstat(path).catch(() => null);
    if (existing) {
      if (!existing.isSocket()) {
        throw new Error(
          `${path} exists and is not a socket. Move it away; Stigmer Local needs that name for its command-line socket.`,
        );
      }
      if (await answers(path)) {
        throw new Error(
          `Another process answers on ${path}, though this app holds the data folder's lock. Quit the other Stigmer Local, then start this one again.`,
        );
      }
      await unlink(path); // stale: its app crashed; we hold the lock, nobody answers
    }
  }
  await listen(server, path);
  // The 0700 dir already keeps others out between listen and chmod.
  if (posix) await chmod(path, 0o600);

  const unsubscribe = options.core.onEvent((channel, payload) => {
    try {
      const targets = [...clients].filter((c) => c.subscriptions.has(channel));
      if (targets.length) fanOut(targets, channel, payload, limits.logBatchSoftCapBytes);
    } catch (error) {
      options.onInternalError?.('socket-host', error);
    }
  });

  return {
    path,
    stats: () => ({ clients: clients.size, refusals }),
    async close() {
      unsubscribe();
      for (const client of clients) client.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (posix) await unlink(path).catch(() => undefined);
    },
  };
}
