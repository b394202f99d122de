import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LineListener } from './line-tail';
import { pollDelayMs, waitForReadiness, type LineSource } from './readiness';

const servers: { close(cb?: () => void): unknown }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(() => r(null)))));
});

/** A port nothing listens on (bound, read, released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

function listen(server: Server | ReturnType<typeof createHttpServer>, port: number): Promise<void> {
  servers.push(server);
  return new Promise((r) => server.listen(port, '127.0.0.1', () => r()));
}

/** Sockets and timers this process holds (what an aborted probe must not leave behind). */
function handles(): { tcp: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  return {
    tcp: info.filter((i) => i === 'TCPSocketWrap' || i === 'TCPWRAP').length,
    timers: info.filter((i) => i === 'Timeout').length,
  };
}

const noLines: LineSource = () => () => undefined;

describe('readiness probes', () => {
  it('polls fast at first and backs off for slow starters', () => {
    expect(pollDelayMs(0)).toBe(10);
    expect(pollDelayMs(9_999)).toBe(10);
    expect(pollDelayMs(30_000)).toBe(25);
    expect(pollDelayMs(120_000)).toBe(100);
  });

  it('tcp: becomes ready once the port opens', async () => {
    const port = await freePort();
    const ac = new AbortController();
    const probe = waitForReadiness(
      { kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 20_000 },
      noLines,
      ac.signal,
    );
    await new Promise((r) => setTimeout(r, 200));
    await listen(
      createServer((s) => s.destroy()),
      port,
    );
    expect(await probe).toBe('ready');
  });

  it('tcp: an abort ends the probe and leaves no socket or timer behind', async () => {
    const port = await freePort();
    const before = handles();
    const ac = new AbortController();
    const probe = waitForReadiness(
      { kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 20_000 },
      noLines,
      ac.signal,
    );
    await new Promise((r) => setTimeout(r, 150));
    ac.abort();
    expect(await probe).toBe('aborted');
    await new Promise((r) => setImmediate(r));
    const after = handles();
    expect(after.tcp).toBeLessThanOrEqual(before.tcp);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
  });

  it('http: waits for the port, then for a 2xx answer', async () => {
    const port = await freePort();
    let asked = 0;
    const ac = new AbortController();
    const probe = waitForReadiness(
      { kind: 'http', url: `http://127.0.0.1:${port}/health`, timeoutMs: 20_000 },
      noLines,
      ac.signal,
    );
    await new Promise((r) => setTimeout(r, 150));
    await listen(
      createHttpServer((_req, res) => {
        asked++;
        res.writeHead(asked < 3 ? 503 : 200).end();
      }),
      port,
    );
    expect(await probe).toBe('ready');
    expect(asked).toBe(3);
  });

  it('log: ready at the matching line; an abort unsubscribes', async () => {
    const listeners = new Set<LineListener>();
    const source: LineSource = (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    };
    const ac = new AbortController();
    const probe = waitForReadiness(
      { kind: 'log', stream: 'stdout', pattern: 'Worker ready', timeoutMs: 20_000 },
      source,
      ac.signal,
    );
    for (const l of listeners) l('stderr', 'Worker ready (wrong stream)');
    for (const l of listeners) l('stdout', 'booting');
    expect(listeners.size).toBe(1);
    for (const l of listeners) l('stdout', 'Worker ready, polling for tasks');
    expect(await probe).toBe('ready');
    expect(listeners.size).toBe(0);

    ac.abort();
    const again = waitForReadiness(
      { kind: 'log', stream: 'any', pattern: 'never', timeoutMs: 20_000 },
      source,
      ac.signal,
    );
    expect(await again).toBe('aborted'); // the signal is already aborted
    const ac2 = new AbortController();
    const third = waitForReadiness(
      { kind: 'log', stream: 'any', pattern: 'never', timeoutMs: 20_000 },
      source,
      ac2.signal,
    );
    expect(listeners.size).toBe(1);
    ac2.abort();
    expect(await third).toBe('aborted');
    expect(listeners.size).toBe(0);
  });
});
