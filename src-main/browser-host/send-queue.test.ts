import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { formatRecord } from '../core/logs/file-format';
import { LOG_TAIL_MAX_BYTES } from '../core/log-service';
import { goodHeaders, rawUpgrade, textFrame } from './raw-ws-client';
import { SendQueue } from './send-queue';
import { DEFAULT_HOST_LIMITS } from './server';
import { askFresh, startTestHost, type TestHost } from './test-host';

/** A ws server whose next connection is handed to the test. */
async function wsPair(): Promise<{ port: number; next: Promise<WebSocket>; close(): void }> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  const next = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    next,
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.close();
    },
  };
}

describe('SendQueue', () => {
  it('disconnects a client that never reads once its waiting bytes would pass the cap', async () => {
    const pair = await wsPair();
    const conn = await rawUpgrade(pair.port, '/', { Host: `127.0.0.1:${pair.port}` });
    conn.socket.pause(); // never reads: everything the server sends piles up
    const ws = await pair.next;
    const overCap = vi.fn();
    const cap = 4 * 1024 * 1024;
    const queue = new SendQueue(ws, {
      capBytes: cap,
      highWaterBytes: 256 * 1024,
      onOverCap: overCap,
    });
    const frame = 'x'.repeat(64 * 1024);
    let sent = 0;
    // Kernel buffers take a few MB first; 100 MB offered is far more than they can hold.
    while (queue.send(frame) && sent < 1600) {
      sent++;
      if (sent % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(sent).toBeLessThan(1600);
    expect(overCap).toHaveBeenCalledTimes(1);
    expect(overCap.mock.calls[0]![0]).toBeGreaterThan(cap);
    // Memory bounded: never more than the cap waited, and what was only queued here is gone.
    expect(queue.peakBytes).toBeLessThanOrEqual(cap);
    expect(queue.isClosed).toBe(true);
    expect(queue.queuedBytes).toBe(ws.bufferedAmount);
    expect(ws.bufferedAmount).toBeLessThanOrEqual(256 * 1024 + frame.length + 1024);
    expect(queue.send('more')).toBe(false);
    conn.socket.destroy();
    pair.close();
  });

  it('delivers every frame in order to a client that reads, and drains to zero', async () => {
    const pair = await wsPair();
    const conn = await rawUpgrade(pair.port, '/', { Host: `127.0.0.1:${pair.port}` });
    const ws = await pair.next;
    const queue = new SendQueue(ws, {
      capBytes: 64 * 1024 * 1024,
      highWaterBytes: 16 * 1024,
      onOverCap: () => {
        throw new Error('a reading client must not go over the cap');
      },
    });
    const big = 'y'.repeat(100_000);
    for (let i = 0; i < 200; i++) expect(queue.send(`${i} ${big}`)).toBe(true);
    await conn.until(() => conn.texts.length === 200);
    expect(conn.texts.map((t) => Number(t.split(' ')[0]))).toEqual([...Array(200).keys()]);
    await vi.waitFor(() => expect(queue.queuedBytes).toBe(0));
    conn.socket.destroy();
    pair.close();
  });
});

describe('browser host send cap (a window that never reads its replies)', () => {
  let t: TestHost;
  const lineText = `${'z'.repeat(1000)}`;
  beforeAll(async () => {
    t = await startTestHost({}, async ({ logDir }) => {
      // 12,000 lines of 1 KB from an earlier run: a full tail is over the 8 MiB reply cut.
      const old = Date.now() - 3_600_000;
      const records = Array.from({ length: 12_000 }, (_, i) =>
        formatRecord(old + i, 'stdout', 'info', 'lf', `${i} ${lineText}`),
      );
      await writeFile(join(logDir, 'stigmer-server.log'), records.join(''));
    });
  });
  afterAll(async () => t?.stop());

  it('cuts a log tail to the newest lines that fit the byte cap', async () => {
    const result = (await askFresh(t.host, 'logs:tail', {
      service: 'stigmer-server',
      limit: 10_000,
    })) as {
      ok: boolean;
      value: { lines: { text: string }[] };
    };
    expect(result.ok).toBe(true);
    const lines = result.value.lines;
    expect(lines.length).toBeGreaterThan(1000);
    expect(lines.length).toBeLessThan(10_000);
    expect(lines.at(-1)!.text).toBe(`11999 ${lineText}`);
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l.text) + 100, 0);
    expect(bytes).toBeLessThanOrEqual(LOG_TAIL_MAX_BYTES);
  });

  it('is refused a limit over 10,000 by the contract', async () => {
    expect(await askFresh(t.host, 'logs:tail', { service: null, limit: 100_000 })).toMatchObject({
      ok: false,
      error: { code: 'bad-arguments' },
    });
  });

  it('200 tails unread: the client is closed with 1008 and a reason, bytes stay under the cap', async () => {
    const conn = await rawUpgrade(
      t.host.port,
      `/ipc?token=${t.host.token}`,
      goodHeaders(t.host.port),
    );
    expect(conn.status).toBe('101');
    conn.socket.pause();
    const ask = (id: number) =>
      textFrame(
        JSON.stringify({
          id,
          channel: 'logs:tail',
          args: { service: 'stigmer-server', limit: 10_000 },
        }),
      );
    conn.socket.write(Buffer.concat(Array.from({ length: 200 }, (_, i) => ask(i + 1))));
    await vi.waitFor(() => expect(t.host.stats().refusals['over-cap']).toBe(1), {
      timeout: 25_000,
      interval: 50,
    });
    expect(t.host.stats().peakQueuedBytes).toBeLessThanOrEqual(
      DEFAULT_HOST_LIMITS.sendQueueCapBytes,
    );
    expect(t.logged.join('\n')).toMatch(/refused \(over-cap\).*not reading its replies/);
    // When it finally reads: the replies that were in flight, then the close frame and why.
    conn.socket.resume();
    await conn.until(() => conn.closeCode !== null);
    expect(conn.closeCode).toBe(1008);
    expect(conn.closeReason).toBe(
      'send queue over 32 MB: the window is not reading its replies; reload it',
    );
    expect(conn.texts.length).toBeLessThan(200);
    conn.socket.destroy();
    expect(await askFresh(t.host, 'stack:snapshot')).toMatchObject({ ok: true });
  });
});
