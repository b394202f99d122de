import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverBinary, type DiscoveryOptions } from './discovery';
import { NodeVersionCache } from './node-runtime';
import { TempDirs, makeScript } from './test-fixtures';

const dirs = new TempDirs();
let root: string;
let home: string;
let pathDir: string;
/** The app's own Node in these tests: a real `node` script that says v20.20.2. */
let appNode20: string;

/** A real executable that answers `--version` like a Node (and runs nothing else). */
async function fakeNode(file: string, version: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\necho ${version}\n`);
  await chmod(file, 0o755);
  return file;
}

/** An installed npm package with a bin script, like `npm i -g @stigmer/runner-slim` leaves. */
async function runnerPackage(enginesNode: string | null): Promise<string> {
  const pkg = path.join(root, 'lib', 'node_modules', '@stigmer', 'runner-slim');
  const engines = enginesNode ? { engines: { node: enginesNode } } : {};
  await mkdir(pkg, { recursive: true });
  await writeFile(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: '@stigmer/runner-slim', ...engines }),
  );
  const main = path.join(pkg, 'main.js');
  await writeFile(main, '#!/usr/bin/env node\nconsole.log("runner");\n');
  await chmod(main, 0o755);
  return main;
}

function options(extra: Partial<DiscoveryOptions> = {}): DiscoveryOptions {
  return {
    nodeExecutable: appNode20,
    nodeEnv: {},
    appEnv: { PATH: pathDir, HOME: home },
    homeDir: home,
    platform: 'linux',
    systemRoot: root,
    nodeCache: new NodeVersionCache(),
    ...extra,
  };
}

beforeEach(async () => {
  root = await dirs.make('node-program-');
  home = path.join(root, 'home');
  pathDir = path.join(root, 'path-bin');
  await mkdir(home, { recursive: true });
  await mkdir(pathDir, { recursive: true });
  appNode20 = await fakeNode(path.join(root, 'app', 'node'), 'v20.20.2');
});

afterEach(() => dirs.cleanup());

describe('agent-runner as a Node program', () => {
  it('runs the bin link with the Node from Settings → Programs → Node, and says so', async () => {
    const main = await runnerPackage('>=22.13');
    await symlink(main, path.join(pathDir, 'stigmer-runner'));
    const node22 = await fakeNode(path.join(root, 'node22', 'bin', 'node'), 'v22.23.5');
    const found = await discoverBinary('agent-runner', options({ settings: { node: node22 } }));
    expect(found).toMatchObject({ command: node22, args: [main], env: {} });
    expect(found.runtime).toEqual({
      kind: 'node',
      range: '>=22.13',
      rangeFrom: 'engines.node',
      script: main,
      node: { kind: 'node', path: node22, version: 'v22.23.5', source: 'setting' },
      problem: null,
    });
  });

  it('needs >= 22.13 for a bare main.js without a package, and finds nvm when PATH has v20', async () => {
    const main = await makeScript(path.join(root, 'copied', 'main.js'));
    await fakeNode(path.join(pathDir, 'node'), 'v20.20.2');
    const nvm22 = await fakeNode(
      path.join(home, '.nvm', 'versions', 'node', 'v22.23.5', 'bin', 'node'),
      'v22.23.5',
    );
    const found = await discoverBinary(
      'agent-runner',
      options({ settings: { 'agent-runner': path.dirname(main) } }),
    );
    expect(found.command).toBe(nvm22);
    expect(found.args).toEqual([main]);
    expect(found.runtime).toMatchObject({ range: '>=22.13', rangeFrom: 'default' });
    expect(found.runtime?.node?.source).toBe('nvm');
  });

  it("takes Electron's own Node when it fits, with ELECTRON_RUN_AS_NODE=1 for that child only", async () => {
    const main = await runnerPackage('>=22.13');
    const electron = path.join(root, 'Electron');
    const found = await discoverBinary(
      'agent-runner',
      options({
        nodeExecutable: electron,
        nodeEnv: { ELECTRON_RUN_AS_NODE: '1' },
        nodeVersion: '22.20.0',
        appEnv: { PATH: pathDir, HOME: home, STIGMER_RUNNER_BIN: main },
      }),
    );
    expect(found).toMatchObject({
      command: electron,
      args: [main],
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    expect(found.runtime?.node).toMatchObject({ version: 'v22.20.0', source: 'app' });
  });

  it('with only Node 20 anywhere: no command, the agreed advice, and every place with a note', async () => {
    const main = await runnerPackage('>=22.13');
    const usrBin = await fakeNode(path.join(pathDir, 'node'), 'v20.20.2');
    const found = await discoverBinary(
      'agent-runner',
      options({
        settings: { 'agent-runner': main, node: appNode20 },
        appEnv: { PATH: pathDir, HOME: home, STIGMER_NODE: usrBin },
      }),
    );
    expect(found.command).toBeNull();
    expect(found.args).toEqual([main]);
    expect(found.runtime?.node).toBeNull();
    expect(found.runtime?.problem).toBe(
      `agent-runner needs Node >= 22.13; found v20.20.2 at ${appNode20}. Set Settings → ` +
        'Programs → Node to a Node 22.13 or newer, or install one (for example `nvm install 22`).',
    );
    expect(found.searched).toEqual(
      expect.arrayContaining([
        `Settings: ${main} (found)`,
        `Node (Settings → Programs → Node): ${appNode20} (v20.20.2, does not satisfy >=22.13)`,
        `Node ($STIGMER_NODE): ${usrBin} (v20.20.2, does not satisfy >=22.13)`,
        `Node (the app's own Node): ${appNode20} (v20.20.2, does not satisfy >=22.13)`,
        `Node (PATH): ${usrBin} (v20.20.2, does not satisfy >=22.13)`,
        `Node (/usr/local): ${path.join(root, 'usr', 'local', 'bin', 'node')} (not found)`,
      ]),
    );
  });

  it('runs stigmer-server (no range of its own) with the app Node, a native temporal as it is', async () => {
    const serverDir = path.join(root, 'server');
    const entry = await makeScript(path.join(serverDir, 'dist', 'main.js'));
    const temporal = path.join(pathDir, 'temporal');
    await writeFile(temporal, '#!/bin/sh\nexit 0\n');
    await chmod(temporal, 0o755);
    const env = { PATH: pathDir, HOME: home, STIGMER_SERVER_DIR: serverDir };
    const server = await discoverBinary('stigmer-server', options({ appEnv: env }));
    expect(server).toMatchObject({ command: appNode20, args: [entry] });
    expect(server.runtime).toMatchObject({ range: '*', node: { source: 'app' } });
    const native = await discoverBinary('temporal', options({ appEnv: env }));
    expect(native).toMatchObject({ command: temporal, args: [] });
    expect(native.runtime).toBeUndefined();
  });
});

const node22 = process.env.STIGMER_TEST_NODE22;
const runnerBin = process.env.STIGMER_TEST_RUNNER_BIN;
const realSkip = !node22 || !runnerBin;

describe('the real runner and Node 22 (scripts/setup-runner.sh)', () => {
  it.skipIf(realSkip)(
    `Settings → Programs → Node at the real Node 22 runs the real bin as [node22, main.js]${
      realSkip
        ? ' — skipped: set STIGMER_TEST_NODE22 and STIGMER_TEST_RUNNER_BIN (run scripts/setup-runner.sh, or source ~/.cache/stigmer-local-test/paths.env)'
        : ''
    }`,
    async () => {
      const found = await discoverBinary(
        'agent-runner',
        options({
          settings: { node: node22 ?? '' },
          appEnv: { PATH: pathDir, HOME: home, STIGMER_RUNNER_BIN: runnerBin ?? '' },
        }),
      );
      expect(found.command).toBe(node22);
      expect(found.args).toHaveLength(1);
      expect(found.args[0]).toMatch(/node_modules\/@stigmer\/runner-slim\/main\.js$/);
      expect(found.runtime?.node).toMatchObject({ source: 'setting', version: 'v22.23.5' });
      expect(found.runtime).toMatchObject({ range: '>=22.13', rangeFrom: 'engines.node' });
    },
  );
});
