import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverBinary, type DiscoveryOptions } from './discovery';
import { TempDirs, makeExecutable, makeScript } from './test-fixtures';

const dirs = new TempDirs();
let root: string;
let home: string;
let pathDir: string;

const NODE = '/opt/electron/electron';
const NODE_ENV = { ELECTRON_RUN_AS_NODE: '1' };

function options(extra: Partial<DiscoveryOptions> = {}): DiscoveryOptions {
  return {
    nodeExecutable: NODE,
    nodeEnv: NODE_ENV,
    // An Electron whose Node satisfies the runner's >= 22.13 (node-program.test.ts has the rest).
    nodeVersion: '22.13.0',
    systemRoot: root,
    appEnv: { PATH: pathDir },
    homeDir: home,
    platform: 'linux',
    ...extra,
  };
}

beforeEach(async () => {
  root = await dirs.make();
  home = path.join(root, 'home');
  pathDir = path.join(root, 'path-bin');
  await mkdir(home, { recursive: true });
  await mkdir(pathDir, { recursive: true });
});

afterEach(() => dirs.cleanup());

describe('discoverBinary', () => {
  it('prefers settings, then env, then PATH, then ~/.stigmer/bin', async () => {
    const inHome = await makeExecutable(path.join(home, '.stigmer', 'bin', 'temporal'));
    expect((await discoverBinary('temporal', options())).command).toBe(inHome);

    const onPath = await makeExecutable(path.join(pathDir, 'temporal'));
    expect((await discoverBinary('temporal', options())).command).toBe(onPath);

    const fromEnv = await makeExecutable(path.join(root, 'env', 'temporal'));
    const appEnv = { PATH: pathDir, STIGMER_TEMPORAL_BIN: fromEnv };
    expect((await discoverBinary('temporal', options({ appEnv }))).command).toBe(fromEnv);

    const fromSettings = await makeExecutable(path.join(root, 'settings', 'temporal'));
    const found = await discoverBinary(
      'temporal',
      options({ appEnv, settings: { temporal: fromSettings } }),
    );
    expect(found).toMatchObject({ command: fromSettings, args: [], env: {} });
    expect(found.searched).toEqual([`Settings: ${fromSettings} (found)`]);
  });

  it('falls through a broken settings path and says why', async () => {
    const onPath = await makeExecutable(path.join(pathDir, 'temporal'));
    const notExec = path.join(root, 'temporal-not-exec');
    await writeFile(notExec, 'x');
    const found = await discoverBinary('temporal', options({ settings: { temporal: notExec } }));
    expect(found.command).toBe(onPath);
    expect(found.searched[0]).toBe(`Settings: ${notExec} (not executable)`);
  });

  it('reports command null and every place searched when nothing is found', async () => {
    const found = await discoverBinary('agent-runner', options());
    expect(found.command).toBeNull();
    expect(found.searched).toEqual([
      'Settings: no path set',
      "$STIGMER_RUNNER_BIN: not set (runner's main.js or executable)",
      `PATH: ${path.join(pathDir, 'stigmer-runner')} (not found)`,
      `${path.join(home, '.stigmer', 'bin', 'stigmer-runner')} (not found)`,
    ]);
  });

  it('runs a .js runner with the configured node executable and node env', async () => {
    const main = await makeScript(path.join(root, 'runner', 'main.js'));
    const found = await discoverBinary(
      'agent-runner',
      options({ appEnv: { PATH: pathDir, STIGMER_RUNNER_BIN: main } }),
    );
    expect(found).toMatchObject({ command: NODE, args: [main], env: NODE_ENV });
  });

  it('resolves an npm bin shim on PATH to its script so our node runs it', async () => {
    const main = await makeScript(path.join(root, 'pkg', 'main.js'));
    await symlink(main, path.join(pathDir, 'stigmer-runner'));
    const found = await discoverBinary('agent-runner', options());
    expect(found).toMatchObject({ command: NODE, args: [main] });
  });

  it('takes the server entry dist/main.js (then main.js) from STIGMER_SERVER_DIR', async () => {
    const serverDir = path.join(root, 'server');
    const slim = await makeScript(path.join(serverDir, 'main.js'));
    const env = { PATH: pathDir, STIGMER_SERVER_DIR: serverDir };
    expect((await discoverBinary('stigmer-server', options({ appEnv: env }))).args).toEqual([slim]);
    const dist = await makeScript(path.join(serverDir, 'dist', 'main.js'));
    expect((await discoverBinary('stigmer-server', options({ appEnv: env }))).args).toEqual([dist]);
  });

  it('checks STIGMER_SERVER_DIR before STIGMER_SERVER_BIN and lists both when missing', async () => {
    const bin = await makeExecutable(path.join(root, 'server-bin'));
    const emptyDir = path.join(root, 'empty');
    await mkdir(emptyDir);
    const env = { PATH: pathDir, STIGMER_SERVER_DIR: emptyDir, STIGMER_SERVER_BIN: bin };
    const found = await discoverBinary('stigmer-server', options({ appEnv: env }));
    expect(found.command).toBe(bin);
    expect(found.searched[1]).toBe(
      `$STIGMER_SERVER_DIR: ${emptyDir} (directory without dist/main.js or main.js)`,
    );
  });

  it('tries PATHEXT extensions on Windows', async () => {
    const exe = await makeExecutable(path.join(pathDir, 'temporal.exe'));
    const found = await discoverBinary(
      'temporal',
      options({
        platform: 'win32',
        appEnv: { Path: pathDir.replaceAll(':', ';'), PATHEXT: '.EXE;.CMD' },
      }),
    );
    expect(found.command).toBe(exe);
  });
});
