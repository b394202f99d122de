import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppCore } from '../core/app-core';
import type { AppCore } from '../core/app-core-types';
import { startSocketHost, type SocketHostOptions } from './server';

let dir: string;
let core: AppCore;
const logged: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stigmer-sock-'));
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
});

afterAll(async () => {
  await core.shutdown();
  await rm(dir, { recursive: true, force: true });
});

const start = (extra: Partial<SocketHostOptions> = {}) =>
  startSocketHost({
    core,
    userDataDir: join(dir, 'data'),
    host: 'browser',
    version: 'test',
    log: (line) => logged.push(line),
    ...extra,
  });

/** A client that collects whole frames. */
function client(path: string): {
  socket: Socket;
  frames: Record<string, unknown>[];
  closed: Promise<void>;
} {
  const socket = connect(path);
  const frames: Record<string, unknown>[] = [];
  let buffer = '';
  socket.on('error', () => undefined);
  socket.setEncoding('utf8').on('data', (d: string) => {
    buffer += d;
    let end;
    while ((end = buffer.indexOf('\n')) >= 0) {
      frames.push(JSON.parse(buffer.slice(0, end)) as Record<string, unknown>);
      buffer = buffer.slice(end + 1);
    }
  });
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  return { socket, frames, closed };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

describe('socket host', () => {
  it('listens 0600 in a 0700 dir, says hello first, and routes through the one router', async () => {
    const host = await start();
    try {
      expect((await stat(host.path)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'data', 'run'))).mode & 0o777).toBe(0o700);
      const c = client(host.path);
      await until(() => c.frames.length >= 1);
      expect(c.frames[0]).toMatchObject({ hello: 'stigmer-local', protocol: 1, host: 'browser' });
      c.socket.write(
        '{"id":7,"channel":"stack:snapshot"}\n{"id":8,"channel":"shell:exec","args":"rm"}\n',
      );
      await until(() => c.frames.length >= 3);
      const byId = (id: number) =>
        c.frames.find((f) => f.id === id)?.result as Record<string, unknown>;
      expect(byId(7)).toMatchObject({ ok: true });
      expect(byId(8)).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
      c.socket.destroy();
    } finally {
      await host.close();
    }
  });

  it('sends events only to clients that subscribed to them', async () => {
    const host = await start();
    try {
      const listening = client(host.path);
      const deaf = client(host.path);
      listening.socket.write('{"id":1,"subscribe":["services:changed"]}\n');
      await until(() => listening.frames.some((f) => f.id === 1));
      deaf.socket.write('{"id":1,"channel":"stack:reload"}\n');
      await until(() => listening.frames.some((f) => f.event === 'services:changed'));
      await until(() => deaf.frames.some((f) => f.id === 1));
      expect(deaf.frames.some((f) => 'event' in f)).toBe(false);
      listening.socket.destroy();
      deaf.socket.destroy();
    } finally {
      await host.close();
    }
  });

  it('replaces a stale socket nobody answers on; refuses a live one and a non-socket file', async () => {
    const path = join(dir, 'data', 'run', 'other.sock');
    // A socket file whose server is gone: what a crashed app leaves (SIGKILL unlinks nothing).
    const listener = `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`;
    const crashed = spawn(process.execPath, ['-e', listener], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((r) => crashed.stdout.once('data', r));
    crashed.kill('SIGKILL');
    await new Promise((r) => crashed.once('exit', r));
    await expect(stat(path)).resolves.toBeTruthy();
    const host = await start({ path });
    const again = start({ path });
    await expect(again).rejects.toThrow(
      /Another process answers on .*Quit the other Stigmer Local/,
    );
    await host.close();
    const file = join(dir, 'data', 'run', 'plain.sock');
    await writeFile(file, 'not a socket');
    await expect(start({ path: file })).rejects.toThrow(/exists and is not a socket. Move it away/);
  });

  it('cuts off a client that never reads its replies; the host keeps answering others', async () => {
    const host = await start({
      limits: { sendQueueCapBytes: 64 * 1024, maxFramesPerSecond: 100_000 },
    });
    try {
      const greedy = client(host.path);
      greedy.socket.pause(); // never reads
      const ask = '{"id":1,"channel":"stack:snapshot"}\n'.repeat(2000);
      greedy.socket.write(ask);
      await until(() => host.stats().refusals > 0);
      // Dropped by the host (the client, not reading, would not even see the close).
      await until(() => host.stats().clients === 0);
      greedy.socket.destroy();
      expect(logged.some((l) => l.includes('not reading its replies'))).toBe(true);
      const polite = client(host.path);
      polite.socket.write('{"id":1,"channel":"stack:snapshot"}\n');
      await until(() => polite.frames.some((f) => f.id === 1));
      polite.socket.destroy();
    } finally {
      await host.close();
    }
  });

  it('reads past the per-second rate later instead of refusing; turns away clients over the cap', async () => {
    const host = await start({ limits: { maxFramesPerSecond: 5, maxClients: 2 } });
    try {
      const c = client(host.path);
      const lines = Array.from({ length: 12 }, (_, i) => `{"id":${i + 1},"channel":"app:info"}\n`);
      c.socket.write(lines.join(''));
      await until(() => c.frames.filter((f) => 'id' in f).length === 12);
      expect(host.stats().refusals).toBe(0);
      const second = client(host.path);
      const third = client(host.path);
      await third.closed;
      expect(third.frames.some((f) => String(f.error).includes('too many'))).toBe(true);
      c.socket.destroy();
      second.socket.destroy();
    } finally {
      await host.close();
    }
  });
});
