import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { needLabel, runtimeLabel } from '../../../src-shared/model/runtime';
import { Supervisor } from '../supervisor';
import { defaultStack } from './default-stack';
import { discoverBinaries } from './discovery';
import { NodeVersionCache } from './node-runtime';
import { StackFileError } from './stack-file-errors';
import { parseStackFile } from './stack-file';
import { applyStackFile, type MergeContext } from './stack-merge';
import { TempDirs } from './test-fixtures';
import type { StackSpec } from './types';

const dirs = new TempDirs();
let root: string;
let home: string;
let node20: string;
let node22: string;
let runnerMain: string;

async function fakeNode(file: string, version: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\necho ${version}\n`);
  await chmod(file, 0o755);
  return file;
}

beforeEach(async () => {
  root = await dirs.make('node-program-stack-');
  home = path.join(root, 'home');
  await mkdir(home, { recursive: true });
  node20 = await fakeNode(path.join(root, 'usr', 'bin', 'node'), 'v20.20.2');
  node22 = await fakeNode(path.join(root, 'node22', 'bin', 'node'), 'v22.23.5');
  const pkg = path.join(root, 'runner-slim');
  await mkdir(pkg, { recursive: true });
  await writeFile(
    path.join(pkg, 'package.json'),
    '{"name":"@stigmer/runner-slim","engines":{"node":">=22.13"}}',
  );
  runnerMain = path.join(pkg, 'main.js');
  await writeFile(runnerMain, 'console.log("runner");\n');
});

afterEach(() => dirs.cleanup());

/** The stack as the loader builds it: discovery, the default stack, then the file on top. */
async function stackWith(yaml: string | null, nodeSetting: string | null): Promise<StackSpec> {
  const appEnv = { PATH: path.dirname(node20), HOME: home, STIGMER_RUNNER_BIN: runnerMain };
  const choice = {
    nodeExecutable: node20,
    nodeEnv: {},
    nodeVersion: '20.20.2',
    nodeSetting,
    nodeCache: new NodeVersionCache(),
    systemRoot: root,
    appEnv,
    homeDir: home,
    platform: 'linux' as const,
  };
  const binaries = await discoverBinaries(choice);
  const defaults = defaultStack({ dataDir: root, appEnv, binaries, platform: 'linux' });
  if (yaml === null) return defaults;
  const ctx: MergeContext = { ...choice, fileName: 'stack.yaml', fileDir: root };
  ctx.launchArgCounts = Object.fromEntries(
    Object.entries(binaries).map(([name, bin]) => [name, bin.args.length]),
  );
  return applyStackFile(defaults, parseStackFile(yaml, 'stack.yaml'), ctx);
}

const runnerOf = (spec: StackSpec) => spec.services.find((s) => s.name === 'agent-runner')!;

describe('runtime: { node } in the stack file', () => {
  it('a range without a command chooses the Node again for the same script', async () => {
    const before = runnerOf(await stackWith(null, node22));
    expect(before.command).toBe(node22);
    const after = runnerOf(
      await stackWith('services:\n  agent-runner:\n    runtime: { node: ">=24" }\n', node22),
    );
    expect(after.command).toBeNull();
    expect(after.args[0]).toBe(runnerMain);
    expect(after.runtime).toMatchObject({ range: '>=24', rangeFrom: 'stack file', node: null });
    expect(after.runtime?.problem).toMatch(/^agent-runner needs Node >= 24; found v22\.23\.5 at /);
  });

  it('a new service whose command is a script runs [node, script, ...args] with a fitting Node', async () => {
    await writeFile(path.join(root, 'tool.mjs'), 'console.log(1);\n');
    const spec = await stackWith(
      'services:\n  tool:\n    command: ./tool.mjs\n    args: [--x]\n    runtime: { node: ">=22" }\n',
      node22,
    );
    const tool = spec.services.find((s) => s.name === 'tool')!;
    expect([tool.command, ...tool.args]).toEqual([node22, path.join(root, 'tool.mjs'), '--x']);
    expect(tool.runtime?.node).toMatchObject({ version: 'v22.23.5', source: 'setting' });
  });

  it('refuses runtime on a program that is not a Node script, and a range npm cannot read', async () => {
    const native = path.join(root, 'native');
    await writeFile(native, '#!/bin/sh\nexit 0\n');
    await chmod(native, 0o755);
    const yaml = `services:\n  x:\n    command: ${native}\n    runtime: { node: ">=22" }\n`;
    await expect(stackWith(yaml, null)).rejects.toThrow(
      /services\.x\.runtime: .*native is not a Node script .*point command at the script itself/,
    );
    await expect(
      stackWith('services:\n  agent-runner:\n    runtime: { node: "twenty-two" }\n', null),
    ).rejects.toThrow(StackFileError);
    await expect(
      stackWith('services:\n  agent-runner:\n    runtime: { node: "twenty-two" }\n', null),
    ).rejects.toThrow(/services\.agent-runner\.runtime\.node: expected a Node version range/);
  });
});

describe('a Node program without its Node, in the supervisor', () => {
  let sup: Supervisor | null = null;
  afterEach(async () => {
    await sup?.stopAll();
    sup = null;
  });

  it("is 'not-installed' with the advice and the range, spawns nothing and retries nothing", async () => {
    const spec = await stackWith(null, null); // only Node 20: the app's, PATH's, /usr/bin
    sup = new Supervisor({ runDir: path.join(root, 'run') });
    sup.setSpec({ services: [{ ...runnerOf(spec), dependsOn: [] }] });
    await expect(sup.start('agent-runner')).rejects.toThrow(
      /^agent-runner needs Node >= 22\.13; found v20\.20\.2 at .*Settings → Programs → Node to a Node 22\.13 or newer/,
    );
    const status = sup.statuses()[0]!;
    expect(status).toMatchObject({
      state: 'not-installed',
      pid: null,
      restarts: 0,
      runtime: null,
      runtimeNeeded: { kind: 'node', range: '>=22.13' },
    });
    expect(status.lastError).toBe(runnerOf(spec).runtime?.problem);
    expect(needLabel(status.runtimeNeeded!)).toBe('Needs Node 22.13+');
    expect(status.searched.some((s) => s.includes('does not satisfy >=22.13'))).toBe(true);
  });

  it('reports which Node runs it once one fits', async () => {
    const spec = await stackWith(null, node22);
    sup = new Supervisor({ runDir: path.join(root, 'run') });
    sup.setSpec({ services: [{ ...runnerOf(spec), dependsOn: [] }] });
    const status = sup.statuses()[0]!;
    expect(status.state).toBe('stopped');
    expect(status.runtimeNeeded).toBeNull();
    expect(runtimeLabel(status.runtime!)).toBe('Node v22.23.5 (Settings)');
    expect(status.command).toEqual([node22, runnerMain]);
  });
});
