import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { AppCore } from '../core/app-core-types';
import { createRouter } from '../ipc/router';
import { Connection, type ConnectionLimits } from './connection';
import { fanOut } from './event-fanout';
import { BROWSER_CSP, injectBridge } from './page';
import { createRefusalLog, type RefusalKind } from './refusal-log';
import { upgradeRefusal } from './ws-guard';

/** A running loopback host. */
export interface BrowserHost {
  url: string;
  port: number;
  token: string;
  /** Counters for tests and diagnostics: open sockets, the most bytes one client ever had waiting, refusals. */
  stats(): HostStats;
  close(): Promise<void>;
}

/** What the host has held and refused so far. */
export interface HostStats {
  sockets: number;
  peakQueuedBytes: number;
  refusals: Readonly<Partial<Record<RefusalKind, number>>>;
}

/** Bounds of the host; per connection, plus how many windows may be connected at once. */
export interface HostLimits extends ConnectionLimits {
  maxSockets: number;
}

const MB = 1024 * 1024;

/** Defaults sized for the window: a full log tail (~9 MB) fits a reply, three fit the queue. */
export const DEFAULT_HOST_LIMITS: HostLimits = {
  maxPayloadBytes: 1 * MB,
  sendQueueCapBytes: 32 * MB,
  logBatchSoftCapBytes: 4 * MB,
  writeHighWaterBytes: 1 * MB,
  maxReplyBytes: 16 * MB,
  maxInFlight: 8,
  maxWaitingBytes: 4 * MB,
  maxSockets: 32,
};

/** Options for the loopback host. */
export interface BrowserHostOptions {
  core: AppCore;
  rendererDir: string;
  /** 0 picks a free port. */
  port: number;
  onInternalError?: (channel: string, error: unknown) => void;
  /** Where refusals are logged, rate-limited (default: stderr). Never given tokens or bodies. */
  log?: (line: string) => void;
  /** Lower bounds for tests; the defaults fit the window. */
  limits?: Partial<HostLimits>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Errors a peer causes by going away; not worth a log line. */
const HANGUPS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED']);

/**
 * Serve the built renderer on 127.0.0.1 and route IPC over a WebSocket through the same router
 * as the Electron shell. IPC needs the per-run token and the host's own Origin; the Host header
 * is checked on every request so a DNS-rebinding page cannot reach it. Every socket and server
 * has an error handler, every frame is shape-checked, and each client's replies are bounded.
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = randomBytes(24).toString('base64url');
  const limits: HostLimits = { ...DEFAULT_HOST_LIMITS, ...options.limits };
  let port = options.port;
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = (): string[] => allowedHosts().map((h) => `http://${h}`);
  const refusals = createRefusalLog({
    write: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
  });
  const peerOf = (socket: Duplex): string => `peer port ${(socket as Socket).remotePort ?? '?'}`;
  const onSocketError = (socket: Duplex) => (error: Error & { code?: string }) => {
    if (!HANGUPS.has(error.code ?? '')) {
      refusals.refuse('socket-error', `${peerOf(socket)}: ${error.code ?? error.message}`);
    }
    socket.destroy();
  };

  const router = createRouter(options.core.handlers, {
    // The connection was authenticated (token + Origin) before any message is routed.
    isTrustedSender: (sender) => allowedOrigins().includes(sender.url),
    onInternalError: options.onInternalError,
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad request path');
      return;
    }
    const rel = path === '/' ? 'index.html' : path.slice(1);
    const file = normalize(join(options.rendererDir, rel));
    if (!file.startsWith(options.rendererDir + sep)) {
      res.writeHead(404).end();
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const type = MIME[extname(file)] ?? 'application/octet-stream';
    const headers: Record<string, string> = {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'x-frame-options': 'DENY',
    };
    if (rel === 'index.html') {
      headers['content-security-policy'] = BROWSER_CSP;
      body = Buffer.from(injectBridge(body.toString('utf8')));
    }
    res.writeHead(200, headers).end(body);
  }

  const server = createServer((req, res) => {
    req.on('error', () => res.destroy());
    res.on('error', () => res.destroy());
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    serveStatic(req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else res.writeHead(500).end();
    });
  });
  // A request that does not parse, or a peer that resets mid-request.
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (!HANGUPS.has(error.code ?? '')) {
      refusals.refuse('bad-request', `${peerOf(socket)}: HTTP ${error.code ?? 'parse error'}`);
    }
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });
  server.on('error', (error) => options.onInternalError?.('browser-host', error));

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes });
  wss.on('error', (error) => options.onInternalError?.('browser-host', error));
  // With this listener ws leaves the answer to a bad handshake to us (a plain 400).
  wss.on('wsClientError', (error, socket) => {
    refusals.refuse('bad-request', `${peerOf(socket)}: WebSocket handshake: ${error.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });
  const connections = new Set<Connection>();
  let pagesSeen = 0;
  let peakQueuedBytes = 0;

  const refuseUpgrade = (socket: Duplex, status: string, why: string): void => {
    refusals.refuse(
      why.includes('windows') ? 'over-cap' : 'forbidden',
      `${peerOf(socket)}: ${why}`,
    );
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    // A peer that never closes its end must not hold the socket open.
    setTimeout(() => socket.destroy(), 2000).unref();
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // First, before anything can fail: a reset on a refused or half-open socket is an 'error'.
    socket.on('error', onSocketError(socket));
    try {
      const why = upgradeRefusal(req, {
        hosts: allowedHosts(),
        origins: allowedOrigins(),
        token,
      });
      if (why) return refuseUpgrade(socket, '403 Forbidden', why);
      if (connections.size >= limits.maxSockets) {
        return refuseUpgrade(
          socket,
          '503 Service Unavailable',
          `over ${limits.maxSockets} windows open`,
        );
      }
      const origin = req.headers.origin ?? '';
      const peer = peerOf(socket);
      wss.handleUpgrade(req, socket, head, (ws) => {
        const connection = new Connection(ws, {
          router,
          origin,
          peer,
          limits,
          refusals,
          onInternalError: options.onInternalError,
        });
        connections.add(connection);
        // An open page is someone looking (it cannot say which tab is hidden: the router does
        // not tell the core who sent a request); live figures run while one is connected.
        const who = `page:${++pagesSeen}`;
        options.core.setLooking(who, true);
        ws.on('close', () => {
          peakQueuedBytes = Math.max(peakQueuedBytes, connection.queue.peakBytes);
          connections.delete(connection);
          options.core.setLooking(who, false);
        });
      });
    } catch (error) {
      options.onInternalError?.('browser-host', error);
      socket.destroy();
    }
  });

  const unsubscribe = options.core.onEvent((channel, payload) => {
    try {
      fanOut(connections, channel, payload, limits.logBatchSoftCapBytes);
    } catch (error) {
      // An event that cannot be sent must not throw back into the core that emitted it.
      options.onInternalError?.('browser-host', error);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    stats: () => ({
      sockets: connections.size,
      peakQueuedBytes: Math.max(peakQueuedBytes, ...[...connections].map((c) => c.queue.peakBytes)),
      refusals: { ...refusals.totals },
    }),
    async close() {
      unsubscribe();
      refusals.close();
      for (const connection of connections) connection.ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
