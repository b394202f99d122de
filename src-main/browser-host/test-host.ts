/* Test helper: the real browser host over a real core in temp dirs. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createAppCore } from '../core/app-core';
import type { AppCore } from '../core/app-core-types';
import { startBrowserHost, type BrowserHost, type HostLimits } from './server';

/** A host, its core, and what it logged. */
export interface TestHost {
  host: BrowserHost;
  core: AppCore;
  dir: string;
  logDir: string;
  logged: string[];
  internalErrors: unknown[];
  stop(): Promise<void>;
}

/** Start core + host in a fresh temp dir; `prepare` may write files (e.g. logs) before the core starts. */
export async function startTestHost(
  limits: Partial<HostLimits> = {},
  prepare?: (dirs: { logDir: string }) => Promise<void>,
): Promise<TestHost> {
  const dir = await mkdtemp(join(tmpdir(), 'stigmer-host-'));
  const rendererDir = join(dir, 'renderer');
  const logDir = join(dir, 'logs');
  await mkdir(rendererDir);
  await mkdir(logDir);
  await writeFile(join(rendererDir, 'index.html'), '<html><body></body></html>');
  await prepare?.({ logDir });
  const core = await createAppCore({
    userDataDir: join(dir, 'data'),
    logDir,
    env: { PATH: '' },
    host: 'browser',
    version: 'test',
    nodeExecutable: process.execPath,
    nodeEnv: {},
    homeDir: dir,
  });
  const logged: string[] = [];
  const internalErrors: unknown[] = [];
  const host = await startBrowserHost({
    core,
    rendererDir,
    port: 0,
    limits,
    log: (line) => logged.push(line),
    onInternalError: (_channel, error) => internalErrors.push(error),
  });
  return {
    host,
    core,
    dir,
    logDir,
    logged,
    internalErrors,
    async stop() {
      await host.close();
      await core.shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Open an authenticated socket with the ws library and ask for one channel; resolves the result. */
export function askFresh(host: BrowserHost, channel: string, args?: unknown): Promise<unknown> {
  const base = `http://127.0.0.1:${host.port}`;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ipc?token=${host.token}`, { origin: base });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed ${code} before an answer`)));
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, channel, args })));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (msg.id !== 1) return;
      ws.removeAllListeners('close');
      ws.close();
      resolve(msg.result);
    });
  });
}
