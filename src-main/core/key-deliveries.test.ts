import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../e2e/support/free-port';
import type { SecretsSnapshot } from '../../src-shared/model/secret';
import { serviceStatus } from '../../src-shared/model/test-snapshots';
import { createRouter } from '../ipc/router';
import { createAppCore } from './app-core';
import type { AppCore } from './app-core-types';
import { KeyDeliveries, type KeyFacts } from './key-deliveries';
import { SessionOnlyStore } from './secrets';

describe('KeyDeliveries', () => {
  const facts = new Map<string, KeyFacts>();
  const tracker = () =>
    new KeyDeliveries(
      () => ['K'],
      (key) => facts.get(key) ?? { loaded: false, set: false, fingerprint: null },
    );

  it('names a running process after a delete, and forgets it once it restarts', () => {
    facts.set('K', { loaded: true, set: true, fingerprint: 'aa' });
    const t = tracker();
    t.observe([serviceStatus('runner', 'ready', { pid: 10 })]);
    expect(t.stale()).toEqual([]);
    t.revoked('K', 'deleted');
    facts.set('K', { loaded: false, set: false, fingerprint: null });
    expect(t.stale()).toEqual([{ service: 'runner', pid: 10, key: 'K', reason: 'deleted' }]);
    t.observe([serviceStatus('runner', 'ready', { pid: 11 })]);
    expect(t.stale()).toEqual([]);
  });

  it('says locked for a lock, replaced for a new value, and nothing for an idle eviction', () => {
    facts.set('K', { loaded: true, set: true, fingerprint: 'aa' });
    const t = tracker();
    t.observe([serviceStatus('runner', 'ready', { pid: 10 })]);
    // Idle eviction of a remembered key: still set, same fingerprint, not the user's doing.
    facts.set('K', { loaded: false, set: true, fingerprint: 'aa' });
    expect(t.stale()).toEqual([]);
    t.revoked('K', 'locked');
    expect(t.stale().map((c) => c.reason)).toEqual(['locked']);
    // Fetched again (same value) for another service: the process holds the current key.
    facts.set('K', { loaded: true, set: true, fingerprint: 'aa' });
    expect(t.stale()).toEqual([]);
    facts.set('K', { loaded: true, set: true, fingerprint: 'bb' });
    expect(t.stale().map((c) => c.reason)).toEqual(['replaced']);
    t.observe([serviceStatus('runner', 'stopped', { pid: null })]);
    expect(t.stale()).toEqual([]);
  });

  it('ignores a process that started without the key loaded', () => {
    facts.set('K', { loaded: false, set: false, fingerprint: null });
    const t = tracker();
    t.observe([serviceStatus('runner', 'ready', { pid: 10 })]);
    t.revoked('K', 'deleted');
    expect(t.stale()).toEqual([]);
  });
});

const fixtures = resolve(import.meta.dirname, '../../e2e/fixtures');
let dir: string;
let core: AppCore | undefined;
afterEach(async () => {
  await core?.shutdown();
  core = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('staleConsumers in the secrets snapshot', () => {
  it('names the running runner after delete and lock; a restart clears it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-stale-'));
    const port = await freePort();
    await writeFile(
      join(dir, 'stack.yaml'),
      `services:
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
    wait_for: null
`,
    );
    core = await createAppCore({
      userDataDir: dir,
      logDir: join(dir, 'logs'),
      env: { PATH: process.env.PATH },
      host: 'browser',
      version: 'test',
      nodeExecutable: process.execPath,
      nodeEnv: {},
      homeDir: dir,
      keychain: new SessionOnlyStore('No keychain in this test.'),
    });
    const pushed: SecretsSnapshot[] = [];
    core.onEvent((channel, payload) => {
      if (channel === 'secrets:changed') pushed.push(payload as SecretsSnapshot);
    });
    const router = createRouter(core.handlers, { isTrustedSender: () => true });
    const call = async <T>(channel: string, args: unknown): Promise<T> => {
      const result = (await router.handle(channel, args, { url: 't' })) as {
        ok: boolean;
        value: T;
      };
      expect(result.ok).toBe(true);
      return result.value;
    };
    const key = 'sk-ant-api03-' + 'x'.repeat(40);
    await call('secrets:set', {
      name: 'ANTHROPIC_API_KEY',
      value: key,
      remember: false,
      requireTouchId: false,
    });
    await call('stack:start', undefined);
    const runnerPid = core.snapshot().services.find((s) => s.name === 'agent-runner')!.pid!;
    expect(runnerPid).toBeGreaterThan(0);
    expect((await call<SecretsSnapshot>('secrets:snapshot', undefined)).staleConsumers).toEqual([]);

    // A rotation restarts the runner with the new value (tried before it is stored): the
    // runner holds the current key, so nothing is stale.
    const rotated = await call<{ outcome: string; keys: SecretsSnapshot }>('secrets:rotate', {
      name: 'ANTHROPIC_API_KEY',
      value: 'sk-ant-api03-' + 'y'.repeat(40),
      remember: false,
      requireTouchId: false,
    });
    expect(rotated.outcome).toBe('rotated');
    expect(rotated.keys.staleConsumers).toEqual([]);
    const rotatedPid = core.snapshot().services.find((s) => s.name === 'agent-runner')!.pid!;
    expect(rotatedPid).not.toBe(runnerPid);

    const locked = await call<SecretsSnapshot>('secrets:lock', undefined);
    expect(locked.staleConsumers).toEqual([
      { service: 'agent-runner', pid: rotatedPid, key: 'ANTHROPIC_API_KEY', reason: 'locked' },
    ]);

    // A restart without the key (locked, no keychain): the new runner holds nothing, the
    // notice goes, and a change is pushed to the window.
    const before = pushed.length;
    await call('services:restart', { name: 'agent-runner' });
    expect((await call<SecretsSnapshot>('secrets:snapshot', undefined)).staleConsumers).toEqual([]);
    expect(pushed.slice(before).some((s) => s.staleConsumers?.length === 0)).toBe(true);

    await call('secrets:set', {
      name: 'ANTHROPIC_API_KEY',
      value: key,
      remember: false,
      requireTouchId: false,
    });
    await call('services:restart', { name: 'agent-runner' });
    const pid2 = core.snapshot().services.find((s) => s.name === 'agent-runner')!.pid!;
    const deleted = await call<SecretsSnapshot>('secrets:delete', { name: 'ANTHROPIC_API_KEY' });
    expect(deleted.staleConsumers).toEqual([
      { service: 'agent-runner', pid: pid2, key: 'ANTHROPIC_API_KEY', reason: 'deleted' },
    ]);
    await call('services:stop', { name: 'agent-runner' });
    expect((await call<SecretsSnapshot>('secrets:snapshot', undefined)).staleConsumers).toEqual([]);
  }, 60_000);
});
