import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsStore } from './settings-store';

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('settings store', () => {
  it('starts from the defaults and persists a valid change (mode 0600)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-settings-'));
    const store = new SettingsStore(dir);
    expect(await store.load()).toEqual({ keyIdleMinutes: 10, binaries: {}, launchAtLogin: false });
    expect(await store.update({ keyIdleMinutes: 30 })).toEqual({
      keyIdleMinutes: 30,
      binaries: {},
      launchAtLogin: false,
    });
    expect(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'))).toEqual({
      keyIdleMinutes: 30,
      binaries: {},
      launchAtLogin: false,
    });
    expect((await stat(join(dir, 'settings.json'))).mode & 0o777).toBe(0o600);
    expect(await new SettingsStore(dir).load()).toEqual({
      keyIdleMinutes: 30,
      binaries: {},
      launchAtLogin: false,
    });
  });

  it('refuses an invalid change with advice and keeps the old value', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-settings-'));
    const store = new SettingsStore(dir);
    await store.load();
    await expect(store.update({ keyIdleMinutes: 5000 })).rejects.toThrow(
      'Setting keyIdleMinutes must be at most 1440 (one day).',
    );
    await expect(store.update({ keyIdleMinutes: 1.5 })).rejects.toThrow(/whole minutes/);
    expect(store.get()).toEqual({ keyIdleMinutes: 10, binaries: {}, launchAtLogin: false });
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
      'Setting binaries.temporal must be a full path, starting with / (or ~/ for your home folder).',
    );
    await expect(
      store.update({ binaries: { postgres: '/usr/bin/postgres' } as never }),
    ).rejects.toThrow(/binaries/);
    // Refused changes leave the saved ones, and a later launch reads them back.
    expect((await new SettingsStore(dir).load()).binaries['stigmer-server']).toBe(
      '/opt/stigmer/server',
    );
  });

  it('falls back to the defaults on a broken file and says why', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-settings-'));
    await writeFile(join(dir, 'settings.json'), '{"keyIdleMinutes": "soon"}');
    const store = new SettingsStore(dir);
    expect(await store.load()).toEqual({ keyIdleMinutes: 10, binaries: {}, launchAtLogin: false });
    expect(store.problem).toMatch(/settings\.json could not be read/);
  });
});
