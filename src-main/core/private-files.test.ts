import { chmod, lstat, mkdir, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../e2e/support/free-port';
import { createRouter } from '../ipc/router';
import { createAppCore } from './app-core';
import type { AppCore } from './app-core-types';
import { DEFAULT_MAX_FILE_BYTES } from './logs/rotating-file';
import { ensurePrivateDir } from './private-files';
import { SessionOnlyStore } from './secrets';

const fixtures = resolve(import.meta.dirname, '../../e2e/fixtures');
const onWindows = process.platform === 'win32';
let dir: string;
let core: AppCore | undefined;
let umask: number;

beforeEach(async () => {
  // The usual umask, under which mkdir and open alone would give 0755 folders and 0644 files.
  umask = process.umask(0o022);
  dir = await mkdtemp(join(tmpdir(), 'stigmer-private-'));
});

afterEach(async () => {
  await core?.shutdown();
  core = undefined;
  process.umask(umask);
  await rm(dir, { recursive: true, force: true });
});

/** `relative path -> mode` of everything under `root` (dirs end in "/"); symlinks not followed. */
async function modes(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const file = join(at, entry.name);
      const mode = ((await lstat(file)).mode & 0o777).toString(8);
      out[relative(root, file) + (entry.isDirectory() ? '/' : '')] = mode;
      if (entry.isDirectory()) await walk(file);
    }
  };
  out['./'] = ((await lstat(root)).mode & 0o777).toString(8);
  await walk(root);
  return out;
}

describe.skipIf(onWindows)('private files', () => {
  it('ensurePrivateDir: exact 0700 under any umask, tightens files inside, keeps owner x', async () => {
    process.umask(0o277); // mkdir's mode alone would give 0500: unusable
    const target = join(dir, 'a', 'b');
    await ensurePrivateDir(target);
    expect((await lstat(target)).mode & 0o777).toBe(0o700);
    expect((await lstat(join(dir, 'a'))).mode & 0o777).toBe(0o700);
    process.umask(0o022);
    await writeFile(join(target, 'old.log'), 'x', { mode: 0o644 });
    await writeFile(join(target, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    await chmod(target, 0o755);
    await ensurePrivateDir(target);
    expect(await modes(target)).toEqual({ './': '700', 'old.log': '600', tool: '700' });
  });

  it('after a realistic run (start, logs, a forced rotation, keys, settings, stop): folders 0700, files 0600', async () => {
    // An older version's leftovers: a world-readable data dir, log dir and a live log that is
    // one line short of rotation (sparse), so the run's first lines rotate it.
    await chmod(dir, 0o755); // mkdtemp made it 0700; an older version left it 0755
    const logDir = join(dir, 'logs');
    await mkdir(logDir, { recursive: true, mode: 0o755 });
    const live = await open(join(logDir, 'stigmer-server.log'), 'w', 0o644);
    await live.truncate(DEFAULT_MAX_FILE_BYTES - 10);
    await live.close();
    await writeFile(join(dir, 'my-tool'), '#!/bin/sh\n', { mode: 0o755 });
    const port = await freePort();
    await writeFile(
      join(dir, 'stack.yaml'),
      `services:
  temporal: { enabled: false }
  agent-runner: { enabled: false }
  stigmer-server:
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(join(fixtures, 'stand-in-server.mjs'))}]
    env: { GRPC_PORT: "${port}" }
    ports: [${port}]
    readiness: { tcp: ${port}, timeout: 10s }
`,
    );
    core = await createAppCore({
      userDataDir: dir,
      logDir,
      env: { PATH: '/nonexistent' },
      host: 'browser',
      version: 'test',
      nodeExecutable: process.execPath,
      nodeEnv: {},
      homeDir: dir,
      keychain: new SessionOnlyStore('No keychain in this test.'),
    });
    const router = createRouter(core.handlers, { isTrustedSender: () => true });
    const sender = { url: 't' };
    await core.startService('stigmer-server', 'window');
    // The pid file exists only while the service runs.
    const run = await modes(join(dir, 'run'));
    expect(Object.keys(run).length).toBeGreaterThan(1);
    expect(Object.entries(run).filter(([f, m]) => m !== (f.endsWith('/') ? '700' : '600'))).toEqual(
      [],
    );
    const key = {
      name: 'OPENAI_API_KEY',
      value: 'sk-test-private-files-0123456789',
      remember: false,
      requireTouchId: false,
    };
    expect(await router.handle('secrets:set', key, sender)).toMatchObject({ ok: true });
    expect(await router.handle('settings:set', { keyIdleMinutes: 5 }, sender)).toMatchObject({
      ok: true,
    });
    await core.stopService('stigmer-server', 'window');
    await core.shutdown();
    core = undefined;

    const found = await modes(dir);
    // The run really made what it is checked for.
    expect(Object.keys(found)).toEqual(
      expect.arrayContaining([
        'logs/',
        'logs/stigmer-server.log',
        'logs/stigmer-server.log.1',
        'run/',
        'audit/',
        'data/',
        'settings.json',
        'keys.json',
        'install-key',
        'stack.yaml',
      ]),
    );
    expect(Object.keys(found).some((f) => /^audit\/audit-.*\.jsonl$/.test(f))).toBe(true);
    const wrong = Object.entries(found).filter(([file, mode]) => {
      if (file === 'my-tool') return mode !== '700'; // the user's script keeps its owner x bit
      return mode !== (file.endsWith('/') ? '700' : '600');
    });
    expect(wrong).toEqual([]);
  });
});
