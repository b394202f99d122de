import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEYS_FILE } from './key-metadata';
import { openKeychain, type KeychainStore } from './keychain';
import { SecretStore } from './secret-store';
import { filesContaining } from './test-helpers';
import type { SecretEvent } from './types';
import { AlwaysGrant } from './unlock-gate';

// Its own file on purpose: vitest runs each file in a separate process, and the native
// keyring library keeps what it learned about the bus for the life of the process.
const NAME = 'ANTHROPIC_API_KEY';
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('SecretStore with no keychain reachable', () => {
  it('falls back to session memory, says why, and leaks the canary nowhere', async () => {
    // The probe worker's native code reads the process environment, so point it at no bus.
    process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent';
    const keychain: KeychainStore = await openKeychain({ service: 'dev.stigmer.local-test' });
    if (process.platform === 'linux') {
      expect(keychain).toMatchObject({ backend: 'none', available: false });
      expect(keychain.reason).toBe(
        'No keychain is reachable (Secret Service: no D-Bus session). Keys are kept in memory for this session only.',
      );
    }
    const userDataDir = await mkdtemp(join(tmpdir(), 'stigmer-secrets-'));
    dirs.push(userDataDir);
    const store = await SecretStore.open({ userDataDir, keychain, gate: new AlwaysGrant() });
    const events: SecretEvent[] = [];
    store.onEvent((e) => events.push(e));
    const value = `sk-ant-canary-${randomBytes(24).toString('hex')}`;
    const input = Buffer.from(value);
    const change = await store.set(NAME, input, { remember: true, requireTouchId: true });
    expect(input.every((b) => b === 0)).toBe(true);
    expect(change.info).toMatchObject({ name: NAME, required: true, set: true, loaded: true });
    expect(change.info).toMatchObject({
      source: 'session',
      remembered: false,
      requireTouchId: false,
    });
    expect(change.notice).toBe(`${NAME} is kept for this session only. ${keychain.reason}`);
    expect(store.withValue(NAME, (v) => v === value)).toBe(true);
    const listed = store.list();
    expect(listed.map((i) => i.name)).toEqual([NAME, 'OPENAI_API_KEY', 'CURSOR_API_KEY']);
    expect(listed[1]).toMatchObject({ set: false, source: null, fingerprint: null });
    expect(store.lock()).toEqual([NAME]);
    expect(await store.resolve(NAME)).toBe('missing');
    const deleted = await store.delete(NAME);
    expect(events.map((e) => e.type)).toEqual([
      'key.entered',
      'key.released',
      'key.locked',
      'key.deleted',
    ]);
    const metadata = await readFile(join(userDataDir, KEYS_FILE), 'utf8');
    expect(JSON.parse(metadata)).toEqual({ version: 1, keys: {} });
    expect(await filesContaining(userDataDir, value)).toEqual([]);
    for (const output of [listed, store.list(), events, change, deleted]) {
      expect(JSON.stringify(output)).not.toContain(value);
    }
    store.dispose();
  });
});
