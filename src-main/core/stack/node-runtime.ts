import { execFile } from 'node:child_process';
import { access, constants, readdir, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { rangeMinimum, type NodeSource } from '../../../src-shared/model/runtime';
import { compareVersions as compare, normaliseVersion, satisfies } from './npm-bin';

/**
 * Finds a Node that satisfies a service's version range (e.g. the runner's `>=22.13`), because
 * the app's own Node is often not it: a GUI app does not see the shell's nvm, and Electron's Node
 * may be older than what a program needs. Versions are read by running `node --version`.
 */

/** Where a Node came from, in the order they are tried (shared with the renderer). */
export type { NodeSource } from '../../../src-shared/model/runtime';

/** One place looked at, and what was there. */
export interface NodeSearched {
  path: string;
  source: NodeSource;
  /** "v22.13.0", or null when it could not be run. */
  version: string | null;
  /** Why it was not taken, when it was not. */
  note?: string;
}

/** A Node to run a service with. `env` holds variables to add to that service's environment. */
export interface NodeRuntime {
  ok: true;
  path: string;
  version: string;
  source: NodeSource;
  env: Record<string, string>;
  searched: NodeSearched[];
}

/** No Node satisfies the range: a message for the row, what to do, and where we looked. */
export interface NodeNotFound {
  ok: false;
  range: string;
  /** "needs Node >= 22.13; found v20.20.2 at /usr/bin/node" */
  message: string;
  fix: string;
  searched: NodeSearched[];
}

/** What resolving gives: a runtime or the reason there is none. */
export type NodeResolution = NodeRuntime | NodeNotFound;

/** The app's own Node: Electron's binary (run as Node with ELECTRON_RUN_AS_NODE=1) or node itself. */
export interface AppNode {
  execPath: string;
  isElectron: boolean;
  /** process.versions.node, so the app's Node needs no probe. */
  nodeVersion: string;
}

/** Inputs of {@link resolveNode}; everything outside the process is passed in, for tests. */
export interface ResolveNodeOptions {
  range: string;
  /** Settings → Programs → Node. */
  settingPath?: string | null;
  /** Environment to read STIGMER_NODE, PATH, HOME and the version managers' variables from. */
  env: Readonly<Record<string, string | undefined>>;
  app?: AppNode | null;
  platform?: NodeJS.Platform;
  /** Prefix of the system places (/opt/homebrew, /usr/local); tests point it at a temp dir. */
  systemRoot?: string;
  cache?: NodeVersionCache;
}

const PROBE_TIMEOUT_MS = 5000;

/** Versions of Node binaries by path, kept while the file's mtime and size stay the same. */
export class NodeVersionCache {
  private readonly known = new Map<string, { stamp: string; version: string | null }>();
  private readonly running = new Map<string, Promise<string | null>>();

  /** `timeoutMs` bounds each `node --version`: a hung binary must not hold up a start. */
  constructor(private readonly timeoutMs = PROBE_TIMEOUT_MS) {}

  /** `node --version` of `path` (null when it does not run or prints no version). */
  async version(path: string, envAdditions: Record<string, string> = {}): Promise<string | null> {
    let stamp: string;
    try {
      const s = await stat(path);
      stamp = `${s.mtimeMs}:${s.size}`;
    } catch {
      return null;
    }
    const key = `${path}\0${JSON.stringify(envAdditions)}`;
    const hit = this.known.get(key);
    if (hit && hit.stamp === stamp) return hit.version;
    const pending = this.running.get(key);
    if (pending) return pending;
    const probe = probeVersion(path, envAdditions, this.timeoutMs).then((version) => {
      this.known.set(key, { stamp, version });
      this.running.delete(key);
      return version;
    });
    this.running.set(key, probe);
    return probe;
  }
}

function probeVersion(
  path: string,
  envAdditions: Record<string, string>,
  timeoutMs: number,
): Promise<string | null> {
  return new Promise((resolve) => {
    // A small env: the probe needs no keys or app state, and NODE_OPTIONS could break it.
    const env = { PATH: process.env.PATH ?? '', ...envAdditions };
    execFile(
      path,
      ['--version'],
      { timeout: timeoutMs, env, windowsHide: true, shell: false },
      (err, stdout) => {
        const v = /^v?(\d+\.\d+\.\d+\S*)\s*$/.exec(String(stdout).trim());
        resolve(err || !v ? null : `v${v[1]}`);
      },
    );
  });
}

/** The cache every resolution shares unless given its own (tests give their own). */
export const defaultNodeCache = new NodeVersionCache();

/**
 * Resolves a Node for `range`: Settings → Programs → Node, STIGMER_NODE, the app's own Node, the
 * first `node` on PATH, then the install places (highest fitting version). Never throws.
 */
export async function resolveNode(opts: ResolveNodeOptions): Promise<NodeResolution> {
  const cache = opts.cache ?? defaultNodeCache;
  const searched: NodeSearched[] = [];
  try {
    satisfies('v0.0.0', opts.range);
  } catch {
    return {
      ok: false,
      range: opts.range,
      message: `the Node version range "${opts.range}" cannot be read`,
      fix: 'Write it as npm does in engines.node, for example ">=22.13".',
      searched,
    };
  }
  const fits = (v: string | null) => v !== null && satisfies(v, opts.range);

  /** Probes one path and records what was there, with the reason it was not taken. */
  const look = async (path: string, source: NodeSource, add: Record<string, string> = {}) => {
    const state = await fileState(path);
    const version = state === 'executable' ? await cache.version(path, add) : null;
    const entry: NodeSearched = { path, source, version };
    if (state !== 'executable') entry.note = state;
    else if (version === null) entry.note = 'does not run';
    else if (!fits(version)) entry.note = `does not satisfy ${opts.range}`;
    return entry;
  };
  const tryOne = async (path: string, source: NodeSource) => {
    const entry = await look(path, source);
    searched.push(entry);
    return entry.version && !entry.note ? ok(path, entry.version, source, {}, searched) : null;
  };

  if (opts.settingPath) {
    const hit = await tryOne(opts.settingPath, 'setting');
    if (hit) return hit;
  }
  const fromEnv = opts.env.STIGMER_NODE;
  if (fromEnv) {
    const hit = await tryOne(fromEnv, 'env');
    if (hit) return hit;
  }
  if (opts.app) {
    const v = normaliseVersion(opts.app.nodeVersion);
    const add: Record<string, string> = opts.app.isElectron ? { ELECTRON_RUN_AS_NODE: '1' } : {};
    searched.push({
      path: opts.app.execPath,
      source: 'app',
      version: v,
      ...(fits(v) ? {} : { note: `does not satisfy ${opts.range}` }),
    });
    if (v && fits(v)) return ok(opts.app.execPath, v, 'app', add, searched);
  }
  const onPath = await firstOnPath(opts.env.PATH ?? '', opts.platform ?? process.platform);
  if (onPath) {
    const hit = await tryOne(onPath, 'path');
    if (hit) return hit;
  }

  // Install places: every version there is probed and the highest that fits wins.
  const places = await installPlaces(opts);
  const probed = await Promise.all(places.map((p) => look(p.path, p.source)));
  let best: NodeSearched | null = null;
  for (const p of probed) {
    searched.push(p);
    if (p.version && !p.note && (!best || compare(p.version, best.version ?? '') > 0)) best = p;
  }
  if (best?.version) return ok(best.path, best.version, best.source, {}, searched);
  return notFound(opts.range, searched);
}

function ok(
  path: string,
  version: string,
  source: NodeSource,
  env: Record<string, string>,
  searched: NodeSearched[],
): NodeRuntime {
  return { ok: true, path, version, source, env, searched };
}

/** "needs Node >= 22.13; found v20.20.2 at /usr/bin/node", naming the newest Node seen. */
function notFound(range: string, searched: NodeSearched[]): NodeNotFound {
  const seen = searched.filter((s) => s.version !== null);
  seen.sort((a, b) => compare(b.version ?? '', a.version ?? ''));
  const top = seen[0];
  const wanted = describeRange(range);
  const found = top ? `found ${top.version} at ${top.path}` : 'no Node was found';
  const floor = rangeMinimum(range);
  const aNode = floor ? `a Node ${floor} or newer` : `a Node that satisfies ${range.trim()}`;
  return {
    ok: false,
    range,
    message: `needs Node ${wanted}; ${found}`,
    fix:
      `Set Settings → Programs → Node to ${aNode}, or install one ` +
      `(for example \`nvm install ${minMajor(range) ?? 22}\`).`,
    searched,
  };
}

function describeRange(range: string): string {
  const floor = rangeMinimum(range);
  return floor ? `>= ${floor}` : range.trim();
}

function minMajor(range: string): number | null {
  const m = /(\d+)/.exec(range);
  return m ? Number(m[1]) : null;
}

async function fileState(path: string): Promise<'executable' | 'not found' | 'not executable'> {
  try {
    if (!(await stat(path)).isFile()) return 'not found';
  } catch {
    return 'not found';
  }
  try {
    await access(path, constants.X_OK);
    return 'executable';
  } catch {
    return 'not executable';
  }
}

/** The `node` a shell would run: the first executable one on PATH. */
async function firstOnPath(pathVar: string, platform: NodeJS.Platform): Promise<string | null> {
  const name = platform === 'win32' ? 'node.exe' : 'node';
  for (const dir of pathVar.split(platform === 'win32' ? ';' : delimiter)) {
    if (dir && (await fileState(join(dir, name))) === 'executable') return join(dir, name);
  }
  return null;
}

interface Place {
  path: string;
  source: NodeSource;
}

/** Every `node` in the usual install places of version managers and package managers. */
async function installPlaces(opts: ResolveNodeOptions): Promise<Place[]> {
  if ((opts.platform ?? process.platform) === 'win32') return [];
  const env = opts.env;
  const home = env.HOME ?? '';
  const root = opts.systemRoot ?? '/';
  const sys = (...p: string[]) => join(root, ...p);
  const globs: Array<[NodeSource, string, string]> = [];
  const each = (source: NodeSource, dir: string | undefined, tail: string) => {
    if (dir) globs.push([source, dir, tail]);
  };
  each('nvm', join(env.NVM_DIR || join(home, '.nvm'), 'versions', 'node'), 'bin/node');
  const fnmDirs = [
    env.FNM_DIR,
    join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'fnm'),
    join(home, 'Library', 'Application Support', 'fnm'),
  ];
  for (const d of new Set(fnmDirs)) {
    each('fnm', d && join(d, 'node-versions'), 'installation/bin/node');
  }
  each('volta', join(env.VOLTA_HOME || join(home, '.volta'), 'tools', 'image', 'node'), 'bin/node');
  each('asdf', join(env.ASDF_DATA_DIR || join(home, '.asdf'), 'installs', 'nodejs'), 'bin/node');
  const places: Place[] = [];
  for (const [source, dir, tail] of globs) {
    for (const sub of await listDirs(dir)) places.push({ source, path: join(dir, sub, tail) });
  }
  places.push({ source: 'homebrew', path: sys('opt', 'homebrew', 'bin', 'node') });
  for (const prefix of [sys('opt', 'homebrew', 'opt'), sys('usr', 'local', 'opt')]) {
    for (const sub of await listDirs(prefix)) {
      if (/^node(@\d+)?$/.test(sub))
        places.push({ source: 'homebrew', path: join(prefix, sub, 'bin', 'node') });
    }
  }
  places.push({ source: 'usr-local', path: sys('usr', 'local', 'bin', 'node') });
  return places;
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}
