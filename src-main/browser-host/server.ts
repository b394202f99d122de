import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppCore } from '../core/app-core-types';
import { createRouter } from '../ipc/router';
import { BROWSER_CSP, injectBridge } from './page';

/** A running loopback host. */
export interface BrowserHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Options for the loopback host. */
export interface BrowserHostOptions {
  core: AppCore;
  rendererDir: string;
  /** 0 picks a free port. */
  port: number;
  onInternalError?: (channel: string, error: unknown) => void;
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

/** Past this much unsent data on a socket, live log batches are dropped for it (and counted). */
const MAX_BUFFERED_LOG_BYTES = 4 * 1024 * 1024;

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Serve the built renderer on 127.0.0.1 and route IPC over a WebSocket through the same router
 * as the Electron shell. IPC needs the per-run token and the host's own Origin; the Host header
 * is checked on every request so a DNS-rebinding page cannot reach it.
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = randomBytes(24).toString('base64url');
  let port = options.port;
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = (): string[] => allowedHosts().map((h) => `http://${h}`);

  const router = createRouter(options.core.handlers, {
    // The connection was authenticated (token + Origin) before any message is routed.
    isTrustedSender: (sender) => allowedOrigins().includes(sender.url),
    onInternalError: options.onInternalError,
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
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
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    serveStatic(req, res).catch(() => res.writeHead(500).end());
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = req.headers.origin ?? '';
    const ok =
      url.pathname === '/ipc' &&
      allowedHosts().includes(req.headers.host ?? '') &&
      allowedOrigins().includes(origin) &&
      sameToken(url.searchParams.get('token'), token);
    if (!ok) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        let msg: { id?: unknown; channel?: unknown; args?: unknown };
        try {
          msg = JSON.parse(String(data)) as typeof msg;
        } catch {
          return; // not a request; nothing to answer
        }
        if (typeof msg.id !== 'number') return;
        const id = msg.id;
        void router.handle(msg.channel, msg.args, { url: origin }).then((result) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }));
        });
      });
    });
  });

  // A page that falls behind on log lines loses live lines (never the file), counted as skipped.
  const skippedBy = new WeakMap<WebSocket, number>();
  const unsubscribe = options.core.onEvent((channel, payload) => {
    let frame: string | null = null;
    for (const ws of sockets) {
      if (ws.readyState !== ws.OPEN) continue;
      if (channel === 'logs:lines') {
        const batch = payload as { lines: unknown[]; skipped: number };
        if (ws.bufferedAmount > MAX_BUFFERED_LOG_BYTES) {
          skippedBy.set(ws, (skippedBy.get(ws) ?? 0) + batch.lines.length + batch.skipped);
          continue;
        }
        const behind = skippedBy.get(ws) ?? 0;
        if (behind > 0) {
          skippedBy.delete(ws);
          ws.send(
            JSON.stringify({
              event: channel,
              payload: { ...batch, skipped: batch.skipped + behind },
            }),
          );
          continue;
        }
      }
      frame ??= JSON.stringify({ event: channel, payload });
      ws.send(frame);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
