import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src-shared/model/errors';
import type { Settings } from '../../src-shared/model/settings';
import { SettingsStore } from './settings-store';

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('settings store', () => {
  it('starts from the defaults and persists a valid change (mode 0600)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-settings-'));
    const store = new SettingsStore(dir);
    expect(await store.load()).toEqual({
      keyIdleMinutes: 10,
      binaries: {},
      launchAtLogin: false,
      autoUpdates: true,
    });
    expect(await store.update({ keyIdleMinutes: 30 })).toEqual({
      keyIdleMinutes: 30,
      binaries: {},
      launchAtLogin: false,
      autoUpdates: true,
    });
    expect(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'))).toEqual({
      keyIdleMinutes: 30,
      binaries: {},
      launchAtLogin: false,
      autoUpdates: true,
    });
    expect((await stat(join(dir, 'settings.json'))).mode & 0o777).toBe(0o600);
    expect(await new SettingsStore(dir).load()).toEqual({
      keyIdleMinutes: 30,
      binaries: {},
      launchAtLogin: false,
      autoUpdates: true,
    });
  });

  it('refuses an invalid change with advice and keeps the old value', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-settings-'));
    const store = new SettingsStore(dir);
    await store.load();
    await expect(store.update({ keyIdleMinutes: 5000 })).rejects.toThrow(
      'Forget keys after (minutes) must be at most 1440 (one day). Nothing was changed; correct it and save again.',
    );
    await expect(store.update({ keyIdleMinutes: 1.5 })).rejects.toThrow(/whole minutes/);
    expect(store.get()).toEqual({
      keyIdleMinutes: 10,
      binaries: {},
      launchAtLogin: false,
      autoUpdates: true,
    });
  });

  it('keeps program locations as full paths and refuses relative ones with advice', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-settings-'));
    const store = new SettingsStore(dir);
    await store.load();
    const binaries = {
      'stigmer-server': '  /opt/stigmer/server  ',
      'agent-runner': '~/bin/runner',
    };
    expect((await store.update({ binaries })).binaries).toEqual({
      'stigmer-server': '/opt/stigmer/server',
      'agent-runner': '~/bin/runner',
    });
    await expect(store.update({ binaries: { temporal: 'bin/temporal' } })).rejects.toThrow(
      'Temporal program must be a full path, starting with / (or ~/ for your home folder).',
    );
    await expect(
      store.update({ binaries: { postgres: '/usr/bin/postgres' } as never }),
    ).rejects.toThrow(/^Programs: .*postgres/);
    // Refused changes leave the saved ones, and a later launch reads them back.
    expect((await new SettingsStore(dir).load()).binaries['stigmer-server']).toBe(
      '/opt/stigmer/server',
    );
  });

  it('falls back to the defaults on a broken file and says why', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-settings-'));
    await writeFile(join(dir, 'settings.json'), '{"keyIdleMinutes": "soon"}');
    const store = new SettingsStore(dir);
    expect(await store.load()).toEqual({
      keyIdleMinutes: 10,
      binaries: {},
      launchAtLogin: false,
      autoUpdates: true,
    });
    expect(store.problem).toMatch(/settings\.json could not be read/);
  });
});

describe('settings saves are transactions', () => {
  const onDisk = async (): Promise<Settings> =>
    JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as Settings;

  it('20 concurrent saves, 20 rounds: none fails, none is lost, memory equals the file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-settings-'));
    for (let round = 0; round < 20; round++) {
      const store = new SettingsStore(dir);
      await store.load();
      // Every change touches a different field or program, so each one must survive.
      const changes: Partial<Settings>[] = Array.from({ length: 20 }, (_, i) => {
        if (i === 19) return { keyIdleMinutes: round + 1 };
        if (i === 18) return { launchAtLogin: round % 2 === 0 };
        const service = (['temporal', 'stigmer-server', 'agent-runner'] as const)[i % 3]!;
        return { binaries: { [service]: `/opt/r${round}/c${i}` } };
      });
      const results = await Promise.allSettled(changes.map((c) => store.update(c)));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(await onDisk()).toEqual(store.get());
      expect(store.get().keyIdleMinutes).toBe(round + 1);
      expect(store.get().launchAtLogin).toBe(round % 2 === 0);
      // The binaries object is replaced whole by each change: the last queued one wins.
      expect(store.get().binaries).toEqual({ 'agent-runner': `/opt/r${round}/c17` });
      expect(await new SettingsStore(dir).load()).toEqual(store.get());
    }
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a save that cannot be written changes nothing, undoes its effect and says why', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-settings-'));
    const store = new SettingsStore(dir);
    await store.load();
    await store.update({ keyIdleMinutes: 20 });
    // A real failure even as root (where chmod does not stop writes): a folder in the way.
    await rm(join(dir, 'settings.json'));
    await mkdir(join(dir, 'settings.json'));
    await writeFile(join(dir, 'settings.json', 'in-the-way'), '');
    const effects: string[] = [];
    const error = await store
      .update({ keyIdleMinutes: 45, launchAtLogin: true }, async (next, previous) => {
        effects.push(`login ${String(next.launchAtLogin)}`);
        return async () => effects.push(`login ${String(previous.launchAtLogin)}`);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('failed');
    expect((error as UserError).message).toMatch(
      /^Could not save settings: a folder is in the way \((EISDIR|ENOTEMPTY|EEXIST) writing settings\.json\)\. Nothing was changed; remove or rename that folder and try again\.$/,
    );
    expect(effects).toEqual(['login true', 'login false']);
    expect(store.get()).toEqual({
      keyIdleMinutes: 20,
      binaries: {},
      launchAtLogin: false,
      autoUpdates: true,
    });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // The queue is not stuck: once the folder is gone the next save goes through.
    await rm(join(dir, 'settings.json'), { recursive: true });
    expect((await store.update({ keyIdleMinutes: 45 })).keyIdleMinutes).toBe(45);
    expect(await onDisk()).toEqual(store.get());
  });

  it('an effect that fails stops the save before the file is touched', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-settings-'));
    const store = new SettingsStore(dir);
    await store.load();
    await store.update({ keyIdleMinutes: 20 });
    const before = await readFile(join(dir, 'settings.json'), 'utf8');
    await expect(
      store.update({ launchAtLogin: true }, async () => {
        throw new UserError('failed', 'Could not add the login item: no autostart folder.');
      }),
    ).rejects.toThrow('Could not add the login item');
    expect(await readFile(join(dir, 'settings.json'), 'utf8')).toBe(before);
    expect(store.get().launchAtLogin).toBe(false);
  });
});
