import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createAppCore } from '../core/app-core';
import type { AppCore } from '../core/app-core-types';
import { startBrowserHost, type BrowserHost } from './server';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A real core behind a real host; the core's setLooking calls are recorded on the way. */
async function hostRecordingLooks(): Promise<{ host: BrowserHost; looks: [string, boolean][] }> {
  const dir = await mkdtemp(join(tmpdir(), 'stigmer-looking-'));
  await mkdir(join(dir, 'renderer'));
  await writeFile(join(dir, 'renderer', 'index.html'), '<html></html>');
  const core = await createAppCore({
    userDataDir: join(dir, 'data'),
    logDir: join(dir, 'logs'),
    env: { PATH: '' },
    host: 'browser',
    version: 'test',
    nodeExecutable: process.execPath,
    nodeEnv: {},
    homeDir: dir,
  });
  const looks: [string, boolean][] = [];
  const recording: AppCore = {
    ...core,
    setLooking: (who, visible) => {
      looks.push([who, visible]);
      core.setLooking(who, visible);
    },
  };
  const host = await startBrowserHost({
    core: recording,
    rendererDir: join(dir, 'renderer'),
    port: 0,
    log: () => undefined, // the refused socket's line is expected
  });
  cleanups.push(async () => {
    await host.close();
    await core.shutdown();
    await rm(dir, { recursive: true, force: true });
  });
  return { host, looks };
}

async function openPage(host: BrowserHost): Promise<WebSocket> {
  const origin = `http://127.0.0.1:${host.port}`;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ipc?token=${host.token}`, { origin });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return ws;
}

async function closePage(ws: WebSocket): Promise<void> {
  const closed = new Promise((resolve) => ws.once('close', resolve));
  ws.close();
  await closed;
}

describe('browser host: a connected page is someone looking', () => {
  it('says each page is looking from connect to close, one name per page', async () => {
    const { host, looks } = await hostRecordingLooks();
    expect(looks).toEqual([]);
    const a = await openPage(host);
    const b = await openPage(host);
    await closePage(a);
    await expect.poll(() => looks.length).toBe(3);
    await closePage(b);
    await expect.poll(() => looks.length).toBe(4);
    expect(looks).toEqual([
      ['page:1', true],
      ['page:2', true],
      ['page:1', false],
      ['page:2', false],
    ]);
  });

  it('refused sockets (a wrong token) never count as looking', async () => {
    const { host, looks } = await hostRecordingLooks();
    const origin = `http://127.0.0.1:${host.port}`;
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ipc?token=wrong`, { origin });
    await new Promise((resolve) => ws.once('error', resolve).once('close', resolve));
    const ok = await openPage(host); // a page after it gets the next name, and only it counts
    await closePage(ok);
    await expect.poll(() => looks.length).toBe(2);
    expect(looks).toEqual([
      ['page:1', true],
      ['page:1', false],
    ]);
  });
});
