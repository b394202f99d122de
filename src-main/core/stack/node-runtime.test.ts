import { chmod, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeVersionCache, resolveNode, type NodeResolution } from './node-runtime';

let home: string;
let root: string;
let calls: string;

beforeEach(async () => {
  const base = await mkdtemp(join(tmpdir(), 'node-runtime-'));
  home = join(base, 'home');
  root = join(base, 'root'); // stands in for / (Homebrew, /usr/local)
  calls = join(base, 'calls.log');
  await mkdir(home, { recursive: true });
  await mkdir(root, { recursive: true });
});

afterEach(async () => {
  await rm(dirname(home), { recursive: true, force: true });
});

/** A real executable `node` that prints `version` and logs each run, so probes can be counted. */
async function fakeNode(path: string, version: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `#!/bin/sh\necho "${path}" >> "${calls}"\necho ${version}\n`);
  await chmod(path, 0o755);
  return path;
}

async function probes(path: string): Promise<number> {
  const log = await readFile(calls, 'utf8').catch(() => '');
  return log.split('\n').filter((l) => l === path).length;
}

function resolve(extra: Partial<Parameters<typeof resolveNode>[0]> = {}): Promise<NodeResolution> {
  return resolveNode({
    range: '>=22.13',
    env: { HOME: home, PATH: '' },
    systemRoot: root,
    platform: 'linux',
    cache: new NodeVersionCache(),
    ...extra,
  });
}

const nvm = (v: string) => join(home, '.nvm', 'versions', 'node', v, 'bin', 'node');

describe('resolveNode: the order of places', () => {
  it('takes Settings → Programs → Node first, at once, when it fits', async () => {
    const setting = await fakeNode(join(home, 'opt', 'node22', 'bin', 'node'), 'v22.13.0');
    await fakeNode(nvm('v23.0.0'), 'v23.0.0');
    const got = await resolve({ settingPath: setting });
    expect(got).toMatchObject({ ok: true, path: setting, version: 'v22.13.0', source: 'setting' });
    expect(got.searched).toHaveLength(1);
    expect(await probes(nvm('v23.0.0'))).toBe(0);
  });

  it('goes on past a setting that is too old, and says so in what it searched', async () => {
    const setting = await fakeNode(join(home, 'old', 'node'), 'v20.20.2');
    const env = await fakeNode(join(home, 'env', 'node'), 'v22.14.0');
    const got = await resolve({ settingPath: setting, env: { HOME: home, STIGMER_NODE: env } });
    expect(got).toMatchObject({ ok: true, path: env, source: 'env' });
    expect(got.searched[0]).toEqual({
      path: setting,
      source: 'setting',
      version: 'v20.20.2',
      note: 'does not satisfy >=22.13',
    });
  });

  it("uses the app's own Electron Node with ELECTRON_RUN_AS_NODE=1 when it fits", async () => {
    const app = {
      execPath: '/Applications/Stigmer Local.app/x',
      isElectron: true,
      nodeVersion: '22.20.0',
    };
    const got = await resolve({ app });
    expect(got).toMatchObject({ ok: true, path: app.execPath, version: 'v22.20.0', source: 'app' });
    expect(got.ok && got.env).toEqual({ ELECTRON_RUN_AS_NODE: '1' });
  });

  it("runs the app's own plain Node (the browser host) with no extra env", async () => {
    const got = await resolve({
      range: `>=${process.versions.node}`,
      app: { execPath: process.execPath, isElectron: false, nodeVersion: process.versions.node },
    });
    expect(got).toMatchObject({ ok: true, source: 'app', env: {} });
  });

  it('passes over an app Node that is too old and takes node on PATH', async () => {
    const bin = join(home, 'bin');
    const node = await fakeNode(join(bin, 'node'), 'v22.13.1');
    const got = await resolve({
      app: { execPath: '/usr/bin/node', isElectron: false, nodeVersion: '20.20.2' },
      env: { HOME: home, PATH: `/nonexistent:${bin}` },
    });
    expect(got).toMatchObject({ ok: true, path: node, source: 'path', version: 'v22.13.1' });
  });

  it('looks only at the first node on PATH, as a shell would, then at the install places', async () => {
    const first = await fakeNode(join(home, 'a', 'node'), 'v20.20.2');
    const second = await fakeNode(join(home, 'b', 'node'), 'v24.0.0');
    await fakeNode(nvm('v22.14.0'), 'v22.14.0');
    const got = await resolve({
      env: { HOME: home, PATH: `${dirname(first)}:${dirname(second)}` },
    });
    expect(got).toMatchObject({ ok: true, source: 'nvm', version: 'v22.14.0' });
    expect(await probes(second)).toBe(0);
  });
});

describe('resolveNode: install places', () => {
  beforeEach(async () => {
    await fakeNode(nvm('v22.12.0'), 'v22.12.0');
    await fakeNode(nvm('v22.14.0'), 'v22.14.0');
    const fnm = join(home, '.local', 'share', 'fnm', 'node-versions');
    await fakeNode(join(fnm, 'v22.20.0', 'installation', 'bin', 'node'), 'v22.20.0');
    await fakeNode(
      join(home, '.volta', 'tools', 'image', 'node', '23.1.0', 'bin', 'node'),
      'v23.1.0',
    );
    await fakeNode(join(home, '.asdf', 'installs', 'nodejs', '21.7.3', 'bin', 'node'), 'v21.7.3');
    await fakeNode(join(root, 'opt', 'homebrew', 'opt', 'node@22', 'bin', 'node'), 'v22.15.0');
    await fakeNode(join(root, 'usr', 'local', 'bin', 'node'), 'v18.20.0');
  });

  it('probes them all and takes the highest version that fits', async () => {
    const got = await resolve();
    expect(got).toMatchObject({ ok: true, source: 'volta', version: 'v23.1.0' });
    const sources = new Set(got.searched.map((s) => s.source));
    expect(sources).toEqual(new Set(['nvm', 'fnm', 'volta', 'asdf', 'homebrew', 'usr-local']));
  });

  it('honours an upper bound in the range', async () => {
    const got = await resolve({ range: '^22.13.0' });
    expect(got).toMatchObject({ ok: true, source: 'fnm', version: 'v22.20.0' });
  });

  it("finds fnm's macOS folder and Homebrew's own bin/node", async () => {
    const mac = join(home, 'Library', 'Application Support', 'fnm', 'node-versions', 'v24.1.0');
    await fakeNode(join(mac, 'installation', 'bin', 'node'), 'v24.1.0');
    await fakeNode(join(root, 'opt', 'homebrew', 'bin', 'node'), 'v25.0.0');
    expect(await resolve({ range: '^24' })).toMatchObject({
      ok: true,
      source: 'fnm',
      version: 'v24.1.0',
    });
    expect(await resolve({ range: '>=25' })).toMatchObject({ ok: true, source: 'homebrew' });
  });

  it('reads NVM_DIR and VOLTA_HOME when they are set', async () => {
    const custom = join(home, 'custom-nvm');
    await fakeNode(join(custom, 'versions', 'node', 'v26.0.0', 'bin', 'node'), 'v26.0.0');
    const got = await resolve({ env: { HOME: home, NVM_DIR: custom }, range: '>=26' });
    expect(got).toMatchObject({ ok: true, source: 'nvm', version: 'v26.0.0' });
  });
});

describe('resolveNode: nothing fits', () => {
  it('says "needs Node >= 22.13; found v20.20.2 at <path>", what to do, and where it looked', async () => {
    const usrBin = await fakeNode(join(root, 'usr', 'bin', 'node'), 'v20.20.2');
    await fakeNode(nvm('v18.20.0'), 'v18.20.0');
    const got = await resolve({ env: { HOME: home, PATH: dirname(usrBin) } });
    expect(got.ok).toBe(false);
    if (got.ok) return;
    expect(got.message).toBe(`needs Node >= 22.13; found v20.20.2 at ${usrBin}`);
    expect(got.fix).toContain('Settings → Programs → Node');
    expect(got.fix).toContain('nvm install 22');
    const paths = got.searched.map((s) => s.path);
    expect(paths).toContain(usrBin);
    expect(paths).toContain(nvm('v18.20.0'));
    expect(paths).toContain(join(root, 'usr', 'local', 'bin', 'node'));
  });

  it('says no Node was found when none runs, and marks broken ones', async () => {
    const broken = join(home, 'bin', 'node');
    await mkdir(dirname(broken), { recursive: true });
    await writeFile(broken, '#!/bin/sh\necho "segmentation fault" >&2\nexit 139\n');
    await chmod(broken, 0o755);
    const notExec = join(home, 'noexec', 'node');
    await mkdir(dirname(notExec), { recursive: true });
    await writeFile(notExec, '#!/bin/sh\necho v22.13.0\n');
    const got = await resolve({ settingPath: notExec, env: { HOME: home, PATH: dirname(broken) } });
    expect(got).toMatchObject({ ok: false, message: 'needs Node >= 22.13; no Node was found' });
    expect(got.searched.find((s) => s.path === broken)?.note).toBe('does not run');
    expect(got.searched.find((s) => s.path === notExec)?.note).toBe('not executable');
    expect(got.searched.find((s) => s.source === 'homebrew')?.note).toBe('not found');
  });

  it('rejects a range it cannot read instead of guessing', async () => {
    const got = await resolve({ range: '>=twenty-two' });
    expect(got).toMatchObject({ ok: false });
    expect(!got.ok && got.message).toContain('cannot be read');
  });
});

describe('NodeVersionCache', () => {
  it('runs --version once per path until the file changes (mtime or size)', async () => {
    const node = await fakeNode(join(home, 'bin', 'node'), 'v22.13.0');
    const cache = new NodeVersionCache();
    expect(await cache.version(node)).toBe('v22.13.0');
    expect(await cache.version(node)).toBe('v22.13.0');
    expect(await probes(node)).toBe(1);

    const later = new Date(Date.now() + 60_000);
    await utimes(node, later, later);
    expect(await cache.version(node)).toBe('v22.13.0');
    expect(await probes(node)).toBe(2);

    await fakeNode(node, 'v22.14.10'); // a node upgraded in place: new content and size
    await utimes(node, later, later); // same mtime as before: the size still tells
    expect(await cache.version(node)).toBe('v22.14.10');
    expect(await probes(node)).toBe(3);
  });

  it('shares one probe between concurrent callers', async () => {
    const node = await fakeNode(join(home, 'bin', 'node'), 'v22.13.0');
    const cache = new NodeVersionCache();
    const all = await Promise.all([cache.version(node), cache.version(node), cache.version(node)]);
    expect(all).toEqual(['v22.13.0', 'v22.13.0', 'v22.13.0']);
    expect(await probes(node)).toBe(1);
  });

  it('gives up on a node that hangs', async () => {
    const node = join(home, 'bin', 'node');
    await mkdir(dirname(node), { recursive: true });
    await writeFile(node, '#!/bin/sh\nexec sleep 30\n');
    await chmod(node, 0o755);
    expect(await new NodeVersionCache(300).version(node)).toBeNull();
  });

  it('reads the real version of the Node running this test', async () => {
    expect(await new NodeVersionCache().version(process.execPath)).toBe(process.version);
  });
});
