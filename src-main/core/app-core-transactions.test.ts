import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IpcResult } from '../../src-shared/model/errors';
import type { RotationResult, SecretSetResult } from '../../src-shared/model/secret';
import type { Settings } from '../../src-shared/model/settings';
import { createRouter } from '../ipc/router';
import { createAppCore } from './app-core';
import type { AppCore } from './app-core-types';
import { SessionOnlyStore } from './secrets';

/*
 * The handlers end to end (router -> core -> real files): a key change that cannot reach the
 * disk answers 'failed' in plain words and changes nothing, not even the journal; input rules
 * apply before anything happens; concurrent settings saves all land.
 */

let dir: string;
let core: AppCore | undefined;
afterEach(async () => {
  await core?.shutdown();
  core = undefined;
  await rm(dir, { recursive: true, force: true });
});

const NAME = 'ANTHROPIC_API_KEY';
const canary = () => `sk-ant-canary-${randomBytes(24).toString('hex')}`;

async function start() {
  dir = await mkdtemp(join(tmpdir(), 'stigmer-tx-'));
  // No service uses a key here: only the key and settings paths are under test.
  await writeFile(join(dir, 'stack.yaml'), 'services:\n  temporal: { enabled: false }\n');
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
  const router = createRouter(core.handlers, { isTrustedSender: () => true });
  const call = async <T>(channel: string, args: unknown) =>
    (await router.handle(channel as never, args as never, { url: 't' })) as IpcResult<T>;
  const keyTypes = async () => {
    const list = await call<{ entries: { type: string }[] }>('audit:list', { limit: 1000 });
    if (!list.ok) throw new Error(list.error.message);
    return list.value.entries.map((e) => e.type).filter((t) => t.startsWith('key.'));
  };
  const fingerprint = async () => {
    const snap = await call<SecretSetResult>('secrets:snapshot', undefined);
    return snap.ok ? snap.value.keys.find((k) => k.name === NAME)?.fingerprint : undefined;
  };
  return { call, keyTypes, fingerprint };
}

async function blockKeysFile(): Promise<void> {
  await rm(join(dir, 'keys.json'), { force: true });
  await mkdir(join(dir, 'keys.json', 'in-the-way'), { recursive: true });
}

const entry = (value: string) => ({ name: NAME, value, remember: false, requireTouchId: false });

describe('key and settings changes through the handlers', () => {
  it('a key change that cannot be saved answers "failed", changes nothing, journals nothing', async () => {
    const { call, keyTypes, fingerprint } = await start();
    const old = canary();
    const first = await call<SecretSetResult>('secrets:set', entry(`${old}\r\n`));
    expect(first).toMatchObject({
      ok: true,
      value: { notice: 'Removed a trailing newline from the pasted key.' },
    });
    const before = { fingerprint: await fingerprint(), types: await keyTypes() };
    expect(before.types).toContain('key.entered');

    await blockKeysFile();
    const value = canary();
    const set = await call('secrets:set', entry(value));
    expect(set).toMatchObject({ ok: false, error: { code: 'failed' } });
    expect(!set.ok && set.error.message).toMatch(
      /^Could not save ANTHROPIC_API_KEY: a folder is in the way \(\w+ writing keys\.json\)\. Nothing was changed; remove or rename that folder and try again\.$/,
    );
    const rotate = await call<RotationResult>('secrets:rotate', entry(value));
    expect(rotate).toMatchObject({ ok: true, value: { outcome: 'rolled-back', services: [] } });
    expect(rotate.ok && rotate.value.message).toMatch(
      /^Could not save ANTHROPIC_API_KEY: a folder is in the way .* The previous key is kept\.$/,
    );
    const del = await call('secrets:delete', { name: NAME });
    expect(del).toMatchObject({ ok: false, error: { code: 'failed' } });
    expect(await fingerprint()).toBe(before.fingerprint);
    // Only the rollback of the rotation is journalled: no entered, stored or deleted.
    expect(await keyTypes()).toEqual(['key.rolled-back', ...before.types]);
    for (const reply of [set, rotate, del]) {
      expect(JSON.stringify(reply)).not.toContain(value);
      expect(JSON.stringify(reply)).not.toContain(old);
    }
  });

  it('refuses bad values and unmanaged deletes before anything is journalled', async () => {
    const { call, keyTypes } = await start();
    const before = await keyTypes();
    const value = canary();
    const nul = await call('secrets:set', entry(`${value.slice(0, 11)}\0${value.slice(11)}`));
    expect(nul).toEqual({
      ok: false,
      error: {
        code: 'bad-arguments',
        message:
          "The key contains a control character (NUL) at position 12. Paste the key again from your provider's console.",
      },
    });
    const del = await call('secrets:delete', { name: 'PATH' });
    expect(del).toMatchObject({ ok: false, error: { code: 'bad-arguments' } });
    expect(!del.ok && del.error.message).toMatch(/^PATH is not a key Stigmer Local manages\./);
    expect(await keyTypes()).toEqual(before);
  });

  it('20 concurrent settings:set all land; settings:get equals settings.json', async () => {
    const { call } = await start();
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call<Settings>(
          'settings:set',
          i % 2 ? { keyIdleMinutes: i + 1 } : { binaries: { temporal: `/opt/t${i}` } },
        ),
      ),
    );
    expect(replies.filter((r) => !r.ok)).toEqual([]);
    const got = await call<Settings>('settings:get', undefined);
    const file = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as Settings;
    expect(got).toEqual({ ok: true, value: file });
    expect(file).toMatchObject({ keyIdleMinutes: 20, binaries: { temporal: '/opt/t18' } });
  });
});
