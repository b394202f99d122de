import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLED_RUNNER_ENV, programLabel, readBundledRunner } from './bundled-runner';
import { defaultStack } from './default-stack';
import { discoverBinaries, discoverBinary, type DiscoveryOptions } from './discovery';
import { NodeVersionCache } from './node-runtime';
import { TempDirs, makeScript } from './test-fixtures';

// The runner the app carries is the last place discovery looks for agent-runner. The trees are
// real files in temp dirs: a tiny package laid out as scripts/stage-runner.mjs stages the real
// one (the real tree is proven by scripts/prove-runner.mjs in the packaging check).

const run = promisify(execFile);
const dirs = new TempDirs();
let root: string;
let home: string;
let pathDir: string;
let bundle: string;

/** A staged-like tree: <dir>/node_modules/@stigmer/runner-slim/{package.json,main.js}. */
async function stageFake(dir: string, version = '3.8.0', engines = '>=20'): Promise<string> {
  const pkg = path.join(dir, 'node_modules', '@stigmer', 'runner-slim');
  await mkdir(pkg, { recursive: true });
  await writeFile(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: '@stigmer/runner-slim', version, engines: { node: engines } }),
  );
  // Prints what it ran with, so the test sees the launch work as a real child.
  await writeFile(
    path.join(pkg, 'main.js'),
    `console.log(JSON.stringify({ runner: ${JSON.stringify(version)}, asNode: process.env.ELECTRON_RUN_AS_NODE ?? null }));\n`,
  );
  return path.join(pkg, 'main.js');
}

/** The app's own Node is this test's Node, standing in for Electron (ELECTRON_RUN_AS_NODE=1). */
function options(extra: Partial<DiscoveryOptions> = {}): DiscoveryOptions {
  return {
    nodeExecutable: process.execPath,
    nodeEnv: { ELECTRON_RUN_AS_NODE: '1' },
    nodeVersion: process.versions.node,
    nodeCache: new NodeVersionCache(),
    systemRoot: root,
    appEnv: { PATH: pathDir },
    homeDir: home,
    platform: 'linux',
    bundledRunnerDir: bundle,
    ...extra,
  };
}

beforeEach(async () => {
  root = await dirs.make('stigmer-bundled-');
  home = path.join(root, 'home');
  pathDir = path.join(root, 'path-bin');
  bundle = path.join(root, 'resources', 'runner');
  await mkdir(home, { recursive: true });
  await mkdir(pathDir, { recursive: true });
});

afterEach(() => dirs.cleanup());

describe('the bundled runner', () => {
  it('runs when nothing else is installed, with the app Node and ELECTRON_RUN_AS_NODE in its env only', async () => {
    const script = await stageFake(bundle);
    const appEnv = { PATH: pathDir };
    const found = await discoverBinary('agent-runner', options({ appEnv }));
    expect(found).toMatchObject({
      command: process.execPath,
      args: [script],
      env: { ELECTRON_RUN_AS_NODE: '1' },
      bundled: { version: '3.8.0', script },
    });
    expect(found.runtime).toMatchObject({
      range: '>=20',
      rangeFrom: 'engines.node',
      problem: null,
    });
    expect(found.searched).toContain(`Bundled runner: ${script} (3.8.0)`);
    // The app's own env is never changed: the variable lives in that child's env alone.
    expect(appEnv).toEqual({ PATH: pathDir });

    const spec = defaultStack({
      dataDir: root,
      appEnv,
      binaries: await discoverBinaries(options({ appEnv })),
    });
    const runner = spec.services.find((s) => s.name === 'agent-runner')!;
    const server = spec.services.find((s) => s.name === 'stigmer-server')!;
    expect(programLabel(runner)).toBe('bundled 3.8.0');
    expect(runner.env.ELECTRON_RUN_AS_NODE).toBe('1');
    expect(server.env.ELECTRON_RUN_AS_NODE).toBeUndefined();

    // The launch works as a real child: the script runs and sees the variable.
    const child = await run(runner.command!, runner.args, { env: runner.env });
    expect(JSON.parse(child.stdout)).toEqual({ runner: '3.8.0', asNode: '1' });
  });

  it('is found from $STIGMER_LOCAL_BUNDLED_RUNNER when the host passes no folder', async () => {
    const script = await stageFake(bundle, '3.9.1');
    const found = await discoverBinary(
      'agent-runner',
      options({ bundledRunnerDir: null, appEnv: { PATH: pathDir, [BUNDLED_RUNNER_ENV]: bundle } }),
    );
    expect(found).toMatchObject({ args: [script], bundled: { version: '3.9.1' } });
  });

  it('loses to a runner on PATH, in $STIGMER_RUNNER_BIN or in Settings', async () => {
    await stageFake(bundle);
    // What `npm i -g` leaves on PATH: a node-shebang script (here a file, not a link).
    const onPath = path.join(pathDir, 'stigmer-runner');
    await writeFile(onPath, '#!/usr/bin/env node\nconsole.log("installed");\n', { mode: 0o755 });
    let found = await discoverBinary('agent-runner', options());
    expect(found.bundled).toBeUndefined();
    expect(found.args).toEqual([onPath]);
    expect(found.searched.some((l) => l.startsWith('Bundled runner'))).toBe(false);

    const fromEnv = await makeScript(path.join(root, 'env', 'main.js'));
    found = await discoverBinary(
      'agent-runner',
      options({ appEnv: { PATH: pathDir, STIGMER_RUNNER_BIN: fromEnv } }),
    );
    expect(found.args).toEqual([fromEnv]);

    const fromSettings = await makeScript(path.join(root, 'settings', 'main.js'));
    found = await discoverBinary(
      'agent-runner',
      options({ settings: { 'agent-runner': fromSettings } }),
    );
    expect(found.args).toEqual([fromSettings]);
    expect(programLabel({ ...found, bundled: null })).toBe(fromSettings);
  });

  it('says so when the build carries no runner, and finds nothing', async () => {
    const found = await discoverBinary('agent-runner', options());
    expect(found.command).toBeNull();
    expect(found.searched.at(-1)).toMatch(
      /^Bundled runner: .*main\.js not found \(this build carries no runner\)$/,
    );
    // Only agent-runner has a bundled program.
    const server = await discoverBinary('stigmer-server', options());
    expect(server.searched.some((l) => l.startsWith('Bundled runner'))).toBe(false);
  });

  it('needs a Node that fits its range: with none, the row says why and still names it bundled', async () => {
    const script = await stageFake(bundle, '3.8.0', '>=99');
    const found = await discoverBinary('agent-runner', options());
    expect(found.command).toBeNull();
    expect(found.runtime?.problem).toMatch(/^agent-runner needs Node >= 99;/);
    expect(programLabel({ ...found, bundled: found.bundled ?? null })).toBe('bundled 3.8.0');
    expect(found.args).toEqual([script]);
  });

  it('a stack file that replaces the command takes the label with it', async () => {
    const script = await stageFake(bundle);
    const mark = { version: '3.8.0', script };
    const other = path.join(root, 'elsewhere', 'main.js');
    expect(
      programLabel({ command: '/usr/bin/node', args: [script], runtime: null, bundled: mark }),
    ).toBe('/usr/bin/node');
    expect(
      programLabel({
        command: '/usr/bin/node',
        args: [other],
        runtime: {
          kind: 'node',
          range: '*',
          rangeFrom: 'default',
          script: other,
          node: null,
          problem: null,
        },
        bundled: mark,
      }),
    ).toBe(other);
    expect(programLabel({ command: null, args: [], runtime: null, bundled: null })).toBeNull();
  });

  it('reports a damaged tree instead of running it', async () => {
    const pkg = path.join(bundle, 'node_modules', '@stigmer', 'runner-slim');
    await mkdir(pkg, { recursive: true });
    await writeFile(path.join(pkg, 'main.js'), '');
    expect(await readBundledRunner(bundle)).toEqual({
      problem: `${pkg}/package.json is missing or not JSON (the bundled tree is damaged)`,
    });
    await writeFile(path.join(pkg, 'package.json'), '{"name":"x"}');
    expect(await readBundledRunner(bundle)).toEqual({
      problem: `${pkg}/package.json has no version (the bundled tree is damaged)`,
    });
  });
});
