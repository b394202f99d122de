import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createAppCore } from '../core/app-core';
import type { AppCore } from '../core/app-core-types';
import { goodHeaders, rawUpgrade, textFrame } from './raw-ws-client';
import { startBrowserHost, type BrowserHost } from './server';
import { startTestHost } from './test-host';

let dir: string;
let core: AppCore;
let host: BrowserHost;
const logged: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stigmer-host-'));
  const rendererDir = join(dir, 'renderer');
  await mkdir(rendererDir);
  await writeFile(
    join(rendererDir, 'index.html'),
    '<html><head><script type="module" src="./app.js"></script></head><body></body></html>',
  );
  await writeFile(join(dir, 'secret.txt'), 'outside the renderer dir');
  core = await createAppCore({
    userDataDir: join(dir, 'data'),
    logDir: join(dir, 'logs'),
    env: { PATH: '' },
    host: 'browser',
    version: 'test',
    nodeExecutable: process.execPath,
    nodeEnv: {},
    homeDir: dir,
  });
  host = await startBrowserHost({ core, rendererDir, port: 0, log: (line) => logged.push(line) });
});

afterAll(async () => {
  await host.close();
  await core.shutdown();
  await rm(dir, { recursive: true, force: true });
});

const base = () => `http://127.0.0.1:${host.port}`;

/** Open the IPC socket with the given token/origin; resolves 'open' or the refusal. */
function connect(token: string, origin: string): Promise<{ ws: WebSocket | null; status: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ipc?token=${encodeURIComponent(token)}`, {
      origin,
    });
    ws.once('open', () => resolve({ ws, status: 'open' }));
    ws.once('unexpected-response', (_req, res) =>
      resolve({ ws: null, status: String(res.statusCode) }),
    );
    ws.once('error', (e) => resolve({ ws: null, status: e.message }));
  });
}

function request(ws: WebSocket, channel: unknown, args?: unknown): Promise<unknown> {
  const id = Math.floor(Math.random() * 1e9);
  return new Promise((resolve) => {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (msg.id === id) resolve(msg.result);
    });
    ws.send(JSON.stringify({ id, channel, args }));
  });
}

describe('browser host', () => {
  it('listens on 127.0.0.1 only and prints a URL with the token in the fragment', () => {
    expect(host.url).toBe(`${base()}/#token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves index.html with the bridge first and a CSP', async () => {
    const res = await fetch(`${base()}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html.indexOf('browser-bridge.js')).toBeGreaterThan(-1);
    expect(html.indexOf('browser-bridge.js')).toBeLessThan(html.indexOf('app.js'));
  });

  it('refuses a foreign Host header (DNS rebinding) and paths outside the renderer', async () => {
    const rebind = await new Promise<number>((resolve) => {
      import('node:http').then(({ get }) =>
        get(
          { host: '127.0.0.1', port: host.port, path: '/', headers: { host: 'evil.example' } },
          (r) => resolve(r.statusCode ?? 0),
        ),
      );
    });
    expect(rebind).toBe(421);
    expect((await fetch(`${base()}/..%2Fsecret.txt`)).status).toBe(404);
  });

  it('accepts the IPC socket only with the token and its own Origin', async () => {
    expect((await connect('wrong', base())).status).toBe('403');
    expect((await connect(host.token, 'http://evil.example')).status).toBe('403');
    expect((await connect(host.token, `http://127.0.0.1:${host.port + 1}`)).status).toBe('403');
    const good = await connect(host.token, base());
    expect(good.status).toBe('open');
    const info = await request(good.ws!, 'app:info');
    expect(info).toMatchObject({ ok: true, value: { host: 'browser', version: 'test' } });
    good.ws!.close();
  });

  it('routes through the shared router: unknown channels and bad arguments are refused', async () => {
    const { ws } = await connect(host.token, base());
    expect(await request(ws!, 'shell:exec', { cmd: 'rm -rf /' })).toMatchObject({
      ok: false,
      error: { code: 'unknown-channel' },
    });
    expect(await request(ws!, 'services:start', { name: '../../etc' })).toMatchObject({
      ok: false,
      error: { code: 'bad-arguments' },
    });
    expect(await request(ws!, 'services:start', { name: 'no-such-service' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    ws!.close();
  });

  it('answers a path that does not decode with 400, not a crash', async () => {
    expect((await fetch(`${base()}/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(`${base()}/`)).status).toBe(200);
  });

  it('logs refused upgrades rate-limited, naming what was wrong and never the token sent', async () => {
    const before = host.stats().refusals.forbidden ?? 0;
    const canary = 'canary-token-value-0123456789';
    for (let i = 0; i < 40; i++) {
      const conn = await rawUpgrade(host.port, `/ipc?token=${canary}`, goodHeaders(host.port));
      expect(conn.status).toBe('403');
      conn.socket.destroy();
    }
    expect(host.stats().refusals.forbidden).toBe(before + 40);
    const lines = logged.filter((l) => l.includes('refused (forbidden)'));
    expect(lines.length).toBeLessThanOrEqual(20);
    expect(lines.at(-1)).toMatch(
      /^\[browser-host\] refused \(forbidden\): peer port \d+: missing or wrong token$/,
    );
    expect(logged.join('\n')).not.toContain(canary);
    expect(logged.join('\n')).not.toContain(host.token);
  });
});

describe('browser host limits', () => {
  it('refuses a window over maxSockets (503) and closes a client whose waiting requests pass the cap', async () => {
    const t = await startTestHost({ maxSockets: 2, maxInFlight: 1, maxWaitingBytes: 1000 });
    try {
      const path = `/ipc?token=${t.host.token}`;
      const a = await rawUpgrade(t.host.port, path, goodHeaders(t.host.port));
      const b = await rawUpgrade(t.host.port, path, goodHeaders(t.host.port));
      const c = await rawUpgrade(t.host.port, path, goodHeaders(t.host.port));
      expect([a.status, b.status, c.status]).toEqual(['101', '101', '503']);
      // 50 requests in one write: one runs, the rest wait, and 1,000 bytes of them is the cap.
      const frames = Array.from({ length: 50 }, (_, i) =>
        textFrame(JSON.stringify({ id: i, channel: 'stack:snapshot' })),
      );
      a.socket.write(Buffer.concat(frames));
      await a.until(() => a.closeCode !== null);
      expect(a.closeCode).toBe(1008);
      expect(a.closeReason).toMatch(/requests waiting; reload the window/);
      // The other window is unaffected.
      b.socket.write(textFrame('{"id":1,"channel":"app:info"}'));
      await b.until(() => b.texts.length > 0);
      expect(JSON.parse(b.texts[0]!)).toMatchObject({ id: 1, result: { ok: true } });
      for (const conn of [a, b, c]) conn.socket.destroy();
    } finally {
      await t.stop();
    }
  });
});
