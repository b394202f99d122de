import path from 'node:path';
import type { ServiceRuntime } from '../../../src-shared/model/runtime';
import type { BundledMark } from './bundled-runner';
import {
  defaultNodeCache,
  resolveNode,
  type NodeSearched,
  type NodeVersionCache,
} from './node-runtime';
import { resolveNodeScript } from './npm-bin';
import { expandHome, type ProbeResult } from './path-search';
import type { NodeProgram, ServiceSpec } from './types';

/**
 * Turns a found program into a launch. A Node script (a .js file, a node-shebang script, an npm
 * bin link or shim) runs as `[node, script]` with a Node that satisfies its range, because the
 * app's own Node is often the wrong one (the browser host's Node may be v20; the runner needs
 * >= 22.13). Anything else runs as it is.
 */

/**
 * The app's own Node. In Electron: `process.execPath` with `{ ELECTRON_RUN_AS_NODE: '1' }`; in
 * plain Node (the browser host): `process.execPath` with `{}`.
 */
export interface NodeRuntime {
  nodeExecutable: string;
  nodeEnv: Record<string, string>;
  /** The app's `process.versions.node`; when absent, read by running `nodeExecutable --version`. */
  nodeVersion?: string;
}

/** Everything choosing a Node needs besides the range. */
export interface NodeChoice extends NodeRuntime {
  appEnv: NodeJS.ProcessEnv;
  homeDir: string;
  platform?: NodeJS.Platform;
  /** Settings → Programs → Node. */
  nodeSetting?: string | null;
  /** Versions by path and mtime; default: one cache for the whole process. */
  nodeCache?: NodeVersionCache;
  /** Stands in for `/` (Homebrew, /usr/local) in tests. */
  systemRoot?: string;
}

/** How to launch a found program (or null command when nothing usable was found). */
export interface DiscoveredBinary {
  /** Absolute executable: the program itself, or the Node that runs a script. */
  command: string | null;
  /** Leading args: the script path for Node scripts, else empty. */
  args: string[];
  /** Env the launch itself needs (ELECTRON_RUN_AS_NODE=1 for Electron's Node), merged in. */
  env: Record<string, string>;
  /** Every place looked at, human-readable, in order. */
  searched: string[];
  /** Set for a Node script: its range and the Node chosen. */
  runtime?: NodeProgram | null;
  /** Set when this is the runner the app carries ("bundled 3.8.0" on the row). */
  bundled?: BundledMark | null;
}

/** The range a Node script needs: the stack file's, else its package's engines.node, else this. */
export interface RangeWanted {
  /** Service name, for the advice ("agent-runner needs Node >= 22.13; ..."). */
  name: string;
  /** `runtime.node` from the stack file. */
  declared?: string | null;
  /** When neither the file nor the package says (the runner: ">=22.13"); default any Node. */
  fallback?: string;
}

/** Any Node will do: scripts whose package does not say (the app's own Node comes first). */
export const ANY_NODE = '*';

const SOURCE_NAME: Record<NodeSearched['source'], string> = {
  setting: 'Settings → Programs → Node',
  env: '$STIGMER_NODE',
  app: "the app's own Node",
  path: 'PATH',
  nvm: 'nvm',
  fnm: 'fnm',
  volta: 'Volta',
  asdf: 'asdf',
  homebrew: 'Homebrew',
  'usr-local': '/usr/local',
};

/** One searched place as the row lists it: "Node (nvm): /…/bin/node (v18.20.0, does not satisfy >=22.13)". */
export function describeSearched(entry: NodeSearched): string {
  const what = [entry.version, entry.note ?? 'used'].filter(Boolean).join(', ');
  return `Node (${SOURCE_NAME[entry.source]}): ${entry.path} (${what})`;
}

/** Finds a program's launch: a Node script gets a Node; a native program runs directly. */
export async function launchFor(
  found: ProbeResult,
  ctx: NodeChoice,
  want: RangeWanted,
): Promise<DiscoveredBinary | null> {
  if (found.kind === 'missing') return null;
  const script = await resolveNodeScript(found.path);
  if (!script) {
    // probePath calls a .js file a script even when it cannot be read: run it with Node anyway,
    // Node then says what is wrong with the file.
    if (found.kind === 'script') return nodeLaunch(found.path, null, ctx, want);
    return { command: found.path, args: [], env: {}, searched: [] };
  }
  return nodeLaunch(script.script, script.enginesNode, ctx, want);
}

/** `[node, script]` with the Node that satisfies the range; command null (and why) when none does. */
export async function nodeLaunch(
  script: string,
  enginesNode: string | null,
  ctx: NodeChoice,
  want: RangeWanted,
): Promise<DiscoveredBinary> {
  const [range, rangeFrom]: [string, NodeProgram['rangeFrom']] = want.declared
    ? [want.declared, 'stack file']
    : enginesNode
      ? [enginesNode, 'engines.node']
      : [want.fallback ?? ANY_NODE, 'default'];
  const setting = ctx.nodeSetting?.trim();
  const resolved = await resolveNode({
    range,
    settingPath: setting ? path.resolve(expandHome(setting, ctx.homeDir)) : null,
    env: ctx.appEnv,
    app: await appNode(ctx),
    platform: ctx.platform ?? process.platform,
    ...(ctx.systemRoot ? { systemRoot: ctx.systemRoot } : {}),
    ...(ctx.nodeCache ? { cache: ctx.nodeCache } : {}),
  });
  const searched = resolved.searched.map(describeSearched);
  const base = { kind: 'node' as const, range, rangeFrom, script };
  if (!resolved.ok) {
    const problem = `${want.name} ${resolved.message}. ${resolved.fix}`;
    return {
      command: null,
      // The script stays first so that a later Node (or range) can take it up again.
      args: [script],
      env: {},
      searched,
      runtime: { ...base, node: null, problem },
    };
  }
  const node: ServiceRuntime = {
    kind: 'node',
    path: resolved.path,
    version: resolved.version,
    source: resolved.source,
  };
  return {
    command: resolved.path,
    args: [script],
    env: { ...resolved.env },
    searched,
    runtime: { ...base, node, problem: null },
  };
}

/** The app's own Node as resolveNode sees it; null when its version cannot be read. */
async function appNode(ctx: NodeChoice) {
  const isElectron = ctx.nodeEnv.ELECTRON_RUN_AS_NODE === '1';
  const nodeVersion =
    ctx.nodeVersion ??
    (await (ctx.nodeCache ?? defaultNodeCache).version(ctx.nodeExecutable, ctx.nodeEnv));
  return nodeVersion === null ? null : { execPath: ctx.nodeExecutable, isElectron, nodeVersion };
}

/**
 * The stack file gives `runtime` without `command`: the program stays, its Node is chosen again
 * for the new range. Returns advice when the service is not a Node program, else null.
 */
export async function applyNodeRange(
  spec: ServiceSpec,
  range: string,
  ctx: NodeChoice,
): Promise<string | null> {
  const program = spec.runtime;
  // Not found at all: nothing to run yet; the range applies once discovery finds the script.
  if (!program) {
    return spec.command === null
      ? null
      : `${spec.command} is not a Node script (a .js/.mjs/.cjs file, a "#!/usr/bin/env node" script or an npm bin link); set command to the script as well, or remove runtime.`;
  }
  const launch = await nodeLaunch(program.script, null, ctx, { name: spec.name, declared: range });
  // The env the previous Node needed (ELECTRON_RUN_AS_NODE) must not follow another Node.
  for (const key of Object.keys(ctx.nodeEnv)) delete spec.env[key];
  spec.command = launch.command;
  spec.args = [program.script, ...spec.args.slice(1)];
  spec.env = { ...spec.env, ...launch.env };
  spec.searched = [...spec.searched.filter((l) => !l.startsWith('Node (')), ...launch.searched];
  spec.runtime = launch.runtime ?? null;
  return null;
}
