import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../e2e/support/free-port';
import { unavailableStatus, type UpdateStatus } from '../../../src-shared/model/updates';
import { createRouter } from '../../ipc/router';
import { createAppCore } from '../app-core';
import type { AppCore } from '../app-core-types';
import { SessionOnlyStore } from '../secrets';
import type { BusyQuery, UpdatesHost } from './types';
import { NO_UPDATER_REASON } from './update-handlers';

// The core's side of updates with real stand-in services: what it tells the host's updater is
// in flight (a real key rotation, a real start), the setting, and the event to the window.

const fixtures = resolve(import.meta.dirname, '../../../e2e/fixtures');
const KEY = (n: number) => `sk-ant-updates-${String(n).repeat(40)}`;
let dir: string;
let core: AppCore | undefined;

afterEach(async () => {
  await core?.shutdown();
  core = undefined;
  await rm(dir, { recursive: true, force: true });
});

const stack = (port: number) => `services:
  temporal: { enabled: false }
  stigmer-server:
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(join(fixtures, 'stand-in-server.mjs'))}]
    env: { GRPC_PORT: "${port}" }
    ports: [${port}]
    readiness: { tcp: ${port}, timeout: 10s }
  agent-runner:
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(join(fixtures, 'stand-in-runner.mjs'))}]
    depends_on: [stigmer-server]
    env: { STIGMER_BACKEND_ENDPOINT: "http://localhost:${port}" }
    readiness: { log: "Worker ready, polling for tasks", timeout: 10s }
    wait_for: null # the stand-in needs no Temporal
`;

/** A host updater that records what the core tells it. */
function recordingHost() {
  const reasons: (string | null)[] = [];
  const enabled: boolean[] = [];
  let busy: BusyQuery | null = null;
  let listener: (s: UpdateStatus) => void = () => undefined;
  const status = { ...unavailableStatus('0.1.0', ''), phase: 'idle' as const, reason: null };
  const host: UpdatesHost = {
    status: () => status,
    check: async () => status,
    install: async () => status,
    setEnabled: (on) => void enabled.push(on),
    onChange: (l) => {
      listener = l;
      return () => undefined;
    },
    attachBusy: (b) => {
      busy = b;
      b.onChange(() => {
        const reason = b.reason();
        if (reasons.at(-1) !== reason) reasons.push(reason);
      });
    },
  };
  return { host, reasons, enabled, push: (s: UpdateStatus) => listener(s), busy: () => busy };
}

async function start(updates?: UpdatesHost) {
  dir = await mkdtemp(join(tmpdir(), 'stigmer-core-updates-'));
  await writeFile(join(dir, 'stack.yaml'), stack(await freePort()));
  core = await createAppCore({
    userDataDir: dir,
    logDir: join(dir, 'logs'),
    env: { PATH: process.env.PATH },
    host: 'browser',
    version: '0.1.0',
    nodeExecutable: process.execPath,
    nodeEnv: {},
    homeDir: dir,
    keychain: new SessionOnlyStore('No keychain in this test.'),
    usageIntervalMs: 0,
    updates,
  });
  const router = createRouter(core.handlers, { isTrustedSender: () => true });
  return (channel: string, args?: unknown) => router.handle(channel, args, { url: 't' });
}

describe('updates through the app core', () => {
  it('tells the updater when a start and a key rotation are in flight, and when they end', async () => {
    const rec = recordingHost();
    const call = await start(rec.host);
    const key = (value: string) => ({
      name: 'ANTHROPIC_API_KEY',
      value,
      remember: false,
      requireTouchId: false,
    });
    expect(await call('secrets:set', key(KEY(1)))).toMatchObject({ ok: true });
    expect(await call('stack:start')).toMatchObject({ ok: true });
    expect(core?.snapshot().services.every((s) => s.state === 'ready')).toBe(true);
    expect(rec.reasons).toContain('Stigmer server is starting.');
    expect(rec.busy()?.reason()).toBeNull();

    rec.reasons.length = 0;
    const rotated = await call('secrets:rotate', key(KEY(2)));
    expect(rotated).toMatchObject({ ok: true, value: { outcome: 'rotated' } });
    expect(rec.reasons[0]).toBe('A rotation of ANTHROPIC_API_KEY is in progress.');
    expect(rec.reasons.at(-1)).toBeNull();
    expect(rec.busy()?.reason()).toBeNull();
  });

  it('passes the setting to the updater and its status to the window', async () => {
    const rec = recordingHost();
    const call = await start(rec.host);
    const seen: unknown[] = [];
    core?.onEvent((channel, payload) => {
      if (channel === 'updates:changed') seen.push(payload);
    });
    expect(rec.enabled).toEqual([true]); // the default: on (it matters only in release builds)
    expect(await call('settings:set', { autoUpdates: false })).toMatchObject({
      ok: true,
      value: { autoUpdates: false },
    });
    expect(rec.enabled.at(-1)).toBe(false);
    const pushed = { ...unavailableStatus('0.1.0', ''), phase: 'ready' as const, version: '0.2.0' };
    rec.push(pushed);
    expect(seen).toEqual([pushed]);
    expect(await call('updates:status')).toMatchObject({ ok: true, value: { phase: 'idle' } });
  });

  it('without an updater (the browser host) every updates channel says why', async () => {
    const call = await start();
    for (const channel of ['updates:status', 'updates:check', 'updates:install']) {
      expect(await call(channel)).toEqual({
        ok: true,
        value: unavailableStatus('0.1.0', NO_UPDATER_REASON),
      });
    }
  });
});
