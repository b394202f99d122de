import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src-shared/model/errors';
import { openKeychain, type KeychainStore } from './keychain';
import { KEYS_FILE } from './key-metadata';
import { SecretStore } from './secret-store';
import type { SecretEvent } from './types';
import { AlwaysGrant } from './unlock-gate';

/*
 * A change that fails must leave the key in use, the keychain entry and keys.json as they were.
 * The failure is real: keys.json is replaced by a folder, so the rename of the new file fails
 * (EISDIR), the same path a full disk takes after the temp file. chmod cannot be used: these
 * tests may run as root, for whom a read-only folder is still writable.
 *
 * The keychain is an in-memory KeychainStore that logs what it was asked, so the undo can be
 * seen; the real Secret Service is used only when the suite runs with it (see the end).
 */

const NAME = 'ANTHROPIC_API_KEY';
const TEST_SERVICE = 'dev.stigmer.local-test';
const dirs: string[] = [];
const stores: SecretStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) store.dispose();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A keychain in memory that records each call and can be told to refuse deletes. */
class MemoryKeychain implements KeychainStore {
  readonly backend = 'Secret Service' as const;
  readonly available = true;
  readonly reason = null;
  readonly entries = new Map<string, string>();
  readonly calls: string[] = [];
  refuseDelete = false;

  async get(name: string): Promise<Buffer | null> {
    this.calls.push(`get ${name}`);
    const value = this.entries.get(name);
    return value === undefined ? null : Buffer.from(value);
  }

  async set(name: string, value: Buffer): Promise<void> {
    this.calls.push(`set ${name}`);
    this.entries.set(name, value.toString('utf8'));
  }

  async delete(name: string): Promise<boolean> {
    this.calls.push(`delete ${name}`);
    if (this.refuseDelete) throw new Error('the collection is locked');
    return this.entries.delete(name);
  }
}

const canary = () => `sk-ant-canary-${randomBytes(24).toString('hex')}`;

/** A store holding `old` (remembered unless told otherwise), and the state to compare against. */
async function storeWithKey(keychain: KeychainStore, remember = true) {
  const userDataDir = await mkdtemp(join(tmpdir(), 'stigmer-keys-tx-'));
  dirs.push(userDataDir);
  const store = await SecretStore.open({ userDataDir, keychain, gate: new AlwaysGrant() });
  stores.push(store);
  const old = canary();
  await store.set(NAME, Buffer.from(old), { remember });
  const events: SecretEvent[] = [];
  store.onEvent((e) => events.push(e));
  const keysFile = join(userDataDir, KEYS_FILE);
  const before = { info: store.info(NAME), list: store.list(), file: await readFile(keysFile) };
  return { store, old, events, userDataDir, keysFile, before };
}

/** The value the vault holds now, read without a release event. */
const inVault = (store: SecretStore) => store.redactionList().find((e) => e.name === NAME)?.value;

/** Puts a folder where keys.json is, so the next metadata write fails for real. */
async function blockKeysFile(keysFile: string): Promise<void> {
  await rm(keysFile);
  await mkdir(keysFile);
  await writeFile(join(keysFile, 'in-the-way'), '');
}

/** The error a test expects, with the canary nowhere in it. */
async function failure(promise: Promise<unknown>, ...secrets: string[]): Promise<UserError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  for (const secret of secrets) expect(JSON.stringify(error)).not.toContain(secret);
  for (const secret of secrets) expect((error as Error).message).not.toContain(secret);
  return error as UserError;
}

const BLOCKED =
  /^Could not (save|delete) ANTHROPIC_API_KEY: a folder is in the way \((EISDIR|ENOTEMPTY|EEXIST) writing keys\.json\)\. Nothing was changed; remove or rename that folder and try again\.$/;

describe('a failed key change changes nothing', () => {
  it('set: the old key stays in force, in the vault, the keychain and keys.json', async () => {
    const keychain = new MemoryKeychain();
    const { store, old, events, userDataDir, keysFile, before } = await storeWithKey(keychain);
    await blockKeysFile(keysFile);
    keychain.calls.length = 0;
    const value = canary();
    const error = await failure(
      store.set(NAME, Buffer.from(value), { remember: true }),
      value,
      old,
    );
    expect(error.code).toBe('failed');
    expect(error.message).toMatch(BLOCKED);
    // The keychain took the new value, then got the old one back.
    expect(keychain.calls).toEqual([`get ${NAME}`, `set ${NAME}`, `set ${NAME}`]);
    expect(keychain.entries.get(NAME)).toBe(old);
    expect(inVault(store)).toBe(old);
    expect(store.info(NAME)).toEqual(before.info);
    expect(store.list()).toEqual(before.list);
    expect(events).toEqual([]);
    // No temp file is left behind; once the folder is gone the same change goes through.
    expect((await readdir(userDataDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await rm(keysFile, { recursive: true });
    await writeFile(keysFile, before.file);
    const change = await store.set(NAME, Buffer.from(value), { remember: true });
    expect(inVault(store)).toBe(value);
    expect(keychain.entries.get(NAME)).toBe(value);
    const onDisk = JSON.parse(await readFile(keysFile, 'utf8'));
    expect(onDisk.keys[NAME].fingerprint).toBe(change.info.fingerprint);
    expect(events.map((e) => e.type)).toEqual(['key.entered', 'key.stored']);
  });

  it('set: a first remembered value is taken out of the keychain again', async () => {
    const keychain = new MemoryKeychain();
    const { store, old, events, keysFile, before } = await storeWithKey(keychain, false);
    expect(keychain.entries.has(NAME)).toBe(false);
    await blockKeysFile(keysFile);
    const value = canary();
    const error = await failure(store.set(NAME, Buffer.from(value), { remember: true }), value);
    expect(error.message).toMatch(BLOCKED);
    expect(keychain.entries.has(NAME)).toBe(false);
    expect(inVault(store)).toBe(old);
    expect(store.info(NAME)).toEqual(before.info);
    expect(events).toEqual([]);
  });

  it('set without remember: the remembered entry stays until keys.json says otherwise', async () => {
    const keychain = new MemoryKeychain();
    const { store, old, events, keysFile, before } = await storeWithKey(keychain);
    await blockKeysFile(keysFile);
    const value = canary();
    await failure(store.set(NAME, Buffer.from(value), { remember: false }), value);
    expect(keychain.entries.get(NAME)).toBe(old);
    expect(inVault(store)).toBe(old);
    expect(store.info(NAME)).toEqual(before.info);
    expect(events).toEqual([]);
  });

  it('rotate: a commit that cannot be stored puts the previous key back', async () => {
    const keychain = new MemoryKeychain();
    const { store, old, events, keysFile, before } = await storeWithKey(keychain);
    const value = canary();
    const trial = await store.trial(NAME, Buffer.from(value));
    expect(inVault(store)).toBe(value); // on trial: what the restarted services get
    await blockKeysFile(keysFile);
    const error = await failure(trial.commit({ remember: true }), value, old);
    expect(error.message).toMatch(BLOCKED);
    expect(inVault(store)).toBe(old);
    // The rotated-out value is no longer redacted as "previous": the trial is over.
    expect(store.redactionList().filter((e) => e.name === NAME)).toEqual([
      { name: NAME, value: old },
    ]);
    expect(keychain.entries.get(NAME)).toBe(old);
    expect(store.info(NAME)).toEqual(before.info);
    expect(events).toEqual([]);
    trial.rollback(); // settled already: no-op
    expect(inVault(store)).toBe(old);
  });

  it('delete: the key stays in the vault, the keychain and keys.json', async () => {
    const keychain = new MemoryKeychain();
    const { store, old, events, keysFile, before } = await storeWithKey(keychain);
    await blockKeysFile(keysFile);
    keychain.calls.length = 0;
    const error = await failure(store.delete(NAME), old);
    expect(error.message).toMatch(BLOCKED);
    expect(keychain.calls).toEqual([`get ${NAME}`, `delete ${NAME}`, `set ${NAME}`]);
    expect(keychain.entries.get(NAME)).toBe(old);
    expect(inVault(store)).toBe(old);
    expect(store.info(NAME)).toEqual(before.info);
    expect(events).toEqual([]);
  });

  it('delete: a keychain that refuses leaves everything as it was and says so', async () => {
    const keychain = new MemoryKeychain();
    const { store, old, events, keysFile, before } = await storeWithKey(keychain);
    keychain.refuseDelete = true;
    const error = await failure(store.delete(NAME), old);
    expect(error.message).toBe(
      'Could not delete ANTHROPIC_API_KEY: the Secret Service refused (the collection is locked). Nothing was changed; unlock the Secret Service and try again.',
    );
    expect(keychain.entries.get(NAME)).toBe(old);
    expect(inVault(store)).toBe(old);
    expect(await readFile(keysFile)).toEqual(before.file);
    expect(events).toEqual([]);
  });

  it('delete: a name the app does not manage is refused before anything happens', async () => {
    const keychain = new MemoryKeychain();
    const { store, events, keysFile, before } = await storeWithKey(keychain);
    keychain.calls.length = 0;
    for (const name of ['PATH', 'AWS_SECRET_ACCESS_KEY', 'bad name']) {
      const error = await failure(store.delete(name));
      expect(error.code).toBe('bad-arguments');
      expect(error.message).toContain('is not a key Stigmer Local manages');
    }
    expect(keychain.calls).toEqual([]);
    expect(events).toEqual([]);
    expect(await readFile(keysFile)).toEqual(before.file);
  });

  it('concurrent sets end with memory, keys.json and keychain agreeing on the last one', async () => {
    const keychain = new MemoryKeychain();
    const { store, keysFile } = await storeWithKey(keychain);
    const values = Array.from({ length: 10 }, canary);
    await Promise.all(values.map((v) => store.set(NAME, Buffer.from(v), { remember: true })));
    const last = values.at(-1)!;
    expect(inVault(store)).toBe(last);
    expect(keychain.entries.get(NAME)).toBe(last);
    const onDisk = JSON.parse(await readFile(keysFile, 'utf8'));
    expect(onDisk.keys[NAME].fingerprint).toBe(store.info(NAME).fingerprint);
  });
});

const run = promisify(execFile);
async function lookup(account: string): Promise<string | null> {
  const args = ['lookup', 'service', TEST_SERVICE, 'username', account];
  return run('secret-tool', args).then(
    ({ stdout }) => stdout,
    () => null,
  );
}

describe.runIf(process.env.STIGMER_TEST_KEYRING === '1')('with the real Secret Service', () => {
  it('a failed set puts the previous entry back in the keyring', async () => {
    const keychain = await openKeychain({ service: TEST_SERVICE });
    expect(keychain.available).toBe(true);
    const { store, old, events, keysFile, before } = await storeWithKey(keychain);
    expect(await lookup(NAME)).toBe(old);
    await blockKeysFile(keysFile);
    const value = canary();
    const error = await failure(store.set(NAME, Buffer.from(value), { remember: true }), value);
    expect(error.message).toMatch(BLOCKED);
    expect(await lookup(NAME)).toBe(old);
    expect(inVault(store)).toBe(old);
    expect(store.info(NAME)).toEqual(before.info);
    expect(events).toEqual([]);
    await rm(keysFile, { recursive: true });
    await store.delete(NAME);
    expect(await lookup(NAME)).toBeNull();
  });
});
