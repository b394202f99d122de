import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openKeychain, SessionOnlyStore, type KeychainStore } from './keychain';
import { SecretStore } from './secret-store';
import { filesContaining } from './test-helpers';
import type { SecretEvent } from './types';
import { AlwaysGrant, ScriptedGate, type UnlockGate } from './unlock-gate';

const TEST_SERVICE = 'dev.stigmer.local-test';
const NAME = 'ANTHROPIC_API_KEY';
const run = promisify(execFile);
const dirs: string[] = [];
const stores: SecretStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) store.dispose();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function canary(): string {
  return `sk-ant-canary-${randomBytes(24).toString('hex')}`;
}

async function openStore(
  keychain: KeychainStore,
  gate: UnlockGate = new AlwaysGrant(),
  now?: () => number,
) {
  const userDataDir = await mkdtemp(join(tmpdir(), 'stigmer-secrets-'));
  dirs.push(userDataDir);
  const store = await SecretStore.open({ userDataDir, keychain, gate, now, idleMs: 60_000 });
  stores.push(store);
  const events: SecretEvent[] = [];
  store.onEvent((e) => events.push(e));
  return { store, events, userDataDir };
}

/** Everything the store ever showed outside itself must be free of the canary. */
async function expectNoCanary(value: string, dir: string, ...outputs: unknown[]) {
  expect(await filesContaining(dir, value)).toEqual([]);
  for (const output of outputs) expect(JSON.stringify(output)).not.toContain(value);
}

async function lookup(account: string): Promise<string | null> {
  try {
    const { stdout } = await run('secret-tool', [
      'lookup',
      'service',
      TEST_SERVICE,
      'username',
      account,
    ]);
    return stdout;
  } catch {
    return null;
  }
}

describe('SecretStore in session memory', () => {
  it('evicts idle keys by the injected clock and announces it', async () => {
    let now = 0;
    const { store, events } = await openStore(
      new SessionOnlyStore('none'),
      new AlwaysGrant(),
      () => now,
    );
    await store.set(NAME, Buffer.from(canary()));
    await store.set('OPENAI_API_KEY', Buffer.from(`sk-${'o'.repeat(30)}`));
    now = 50_000;
    store.withValue(NAME, () => undefined); // a delivery restarts the countdown
    now = 60_000;
    const changed = vi.fn();
    store.onChange(changed);
    expect(store.evictIdle()).toEqual(['OPENAI_API_KEY']);
    expect(changed).toHaveBeenCalledTimes(1);
    expect(store.info('OPENAI_API_KEY')).toMatchObject({ set: false, loaded: false });
    const evicted = events.filter((e) => e.type === 'key.evicted');
    expect(evicted).toEqual([
      { type: 'key.evicted', name: 'OPENAI_API_KEY', fingerprint: expect.stringMatching(/^fp:/) },
    ]);
    store.startIdleEviction(5);
    now = 110_000;
    await vi.waitFor(() => expect(store.info(NAME).loaded).toBe(false));
    expect(events.at(-1)).toMatchObject({ type: 'key.evicted', name: NAME });
  });

  it('rejects names that cannot be environment variables, without echoing values', async () => {
    const { store } = await openStore(new SessionOnlyStore('none'));
    await expect(store.set('bad name', Buffer.from('x'))).rejects.toThrow(
      'is not a valid key name',
    );
  });
});

describe.runIf(process.env.STIGMER_TEST_KEYRING === '1')(
  'SecretStore with the real Secret Service',
  () => {
    it('remembers, locks, releases from the keychain, deletes, and leaks the canary nowhere', async () => {
      const keychain = await openKeychain({ service: TEST_SERVICE });
      expect(keychain.available).toBe(true);
      const { store, events, userDataDir } = await openStore(keychain);
      const value = canary();
      const input = Buffer.from(value);
      const change = await store.set(NAME, input, { remember: true });
      expect(change.notice).toBeNull();
      expect(change.info).toMatchObject({ source: 'keychain', remembered: true, loaded: true });
      expect(await lookup(NAME)).toBe(value);
      const listed = store.list();
      store.lock();
      expect(input.every((b) => b === 0)).toBe(true);
      expect(store.info(NAME)).toMatchObject({ set: true, loaded: false, source: 'keychain' });
      expect(await store.resolve(NAME)).toBe('ok');
      expect(store.info(NAME).fingerprint).toBe(change.info.fingerprint);
      expect(store.withValue(NAME, (v) => v === value)).toBe(true);
      // Reopening the same data dir finds the remembered key through keys.json.
      const again = await SecretStore.open({ userDataDir, keychain, gate: new AlwaysGrant() });
      stores.push(again);
      expect(again.info(NAME)).toMatchObject({ set: true, loaded: false, remembered: true });
      expect(await again.resolve(NAME)).toBe('ok');
      const deleted = await store.delete(NAME);
      expect(await lookup(NAME)).toBeNull();
      expect(events.map((e) => e.type)).toEqual([
        'key.entered',
        'key.stored',
        'key.locked',
        'key.released',
        'key.deleted',
      ]);
      await expectNoCanary(value, userDataDir, listed, store.list(), events, change, deleted);
    });

    it('asks the gate before release: a denial is audited and keeps the key locked', async () => {
      const keychain = await openKeychain({ service: TEST_SERVICE });
      const gate = new ScriptedGate(['denied', 'granted']);
      const { store, events, userDataDir } = await openStore(keychain, gate);
      const value = canary();
      const change = await store.set(NAME, Buffer.from(value), {
        remember: true,
        requireTouchId: true,
      });
      expect(change.info).toMatchObject({ remembered: true, requireTouchId: true });
      store.lock();
      const [first, second] = [store.resolve(NAME), store.resolve(NAME)];
      expect(await first).toBe('denied');
      expect(await second).toBe('denied'); // one prompt for concurrent callers
      expect(gate.requests).toHaveLength(1);
      expect(events.at(-1)).toEqual({
        type: 'key.unlock-denied',
        name: NAME,
        fingerprint: change.info.fingerprint,
      });
      expect(store.withValue(NAME, (v) => v)).toBeUndefined();
      expect(await store.resolve(NAME)).toBe('ok');
      expect(events.at(-1)).toMatchObject({ type: 'key.unlock-granted', name: NAME });
      expect(store.withValue(NAME, (v) => v === value)).toBe(true);
      await store.set(NAME, Buffer.from(canary()), { remember: false });
      expect(await lookup(NAME)).toBeNull(); // unticking "remember" removes the old keychain entry
      await store.delete(NAME);
      await expectNoCanary(value, userDataDir, store.list(), events, change);
    });
  },
);
