import path from 'node:path';
import {
  BINARY_SERVICES,
  type BinaryService,
  type Settings,
} from '../../../src-shared/model/settings';
import { readEnv } from './base-env';
import { bundledRunnerDir, readBundledRunner } from './bundled-runner';
import { launchFor, nodeLaunch, type DiscoveredBinary, type NodeChoice } from './node-program';
import {
  executableNames,
  expandHome,
  findOnPath,
  probePath,
  type ProbeResult,
} from './path-search';

/** The services of the default Stigmer stack, in start order (the ones Settings can locate). */
export const DEFAULT_SERVICE_NAMES = BINARY_SERVICES;

/** Name of one default service. */
export type DefaultServiceName = BinaryService;

/** Program paths chosen by the user in Settings (the services' and `node`); they win. */
export type BinarySettings = Settings['binaries'];

export {
  launchFor,
  type DiscoveredBinary,
  type NodeChoice,
  type NodeRuntime,
} from './node-program';

/** Inputs of binary discovery. */
export interface DiscoveryOptions extends NodeChoice {
  settings?: BinarySettings;
  /**
   * The runner tree the app carries (Electron: <resources>/runner), tried for agent-runner after
   * every place a user installs one; default $STIGMER_LOCAL_BUNDLED_RUNNER, else none.
   */
  bundledRunnerDir?: string | null;
}

interface EnvOverride {
  name: string;
  /** What the variable is expected to hold, for the `searched` list. */
  expects: string;
}

interface ServiceLookup {
  envOverrides: EnvOverride[];
  binName: string;
  /** The Node range of its script when its package declares none; default any Node. */
  nodeRange?: string;
}

const LOOKUPS: Record<DefaultServiceName, ServiceLookup> = {
  temporal: {
    envOverrides: [{ name: 'STIGMER_TEMPORAL_BIN', expects: 'temporal executable' }],
    binName: 'temporal',
  },
  'stigmer-server': {
    envOverrides: [
      { name: 'STIGMER_SERVER_DIR', expects: 'server package directory' },
      { name: 'STIGMER_SERVER_BIN', expects: 'server executable or main.js' },
    ],
    binName: 'stigmer-server',
  },
  'agent-runner': {
    envOverrides: [{ name: 'STIGMER_RUNNER_BIN', expects: "runner's main.js or executable" }],
    binName: 'stigmer-runner',
    // @stigmer/runner-slim needs node:sqlite; its package says so in engines.node, a bare
    // main.js copied out of it does not.
    nodeRange: '>=22.13',
  },
};

/**
 * Finds one default service's program: settings, then env overrides, then PATH, then
 * ~/.stigmer/bin. A Node script found there gets its Node (node-program.ts); when no Node fits,
 * the command is null and `runtime.problem` says why: the program was found, so looking further
 * for another copy would only hide that.
 */
export async function discoverBinary(
  service: DefaultServiceName,
  options: DiscoveryOptions,
): Promise<DiscoveredBinary> {
  const platform = options.platform ?? process.platform;
  const lookup = LOOKUPS[service];
  const searched: string[] = [];
  const choice: NodeChoice = {
    ...options,
    nodeSetting: options.nodeSetting ?? options.settings?.node ?? null,
  };
  const want = { name: service, ...(lookup.nodeRange ? { fallback: lookup.nodeRange } : {}) };
  // The program was found: the Node places searched follow the program's (when it is a script).
  const done = async (found: ProbeResult): Promise<DiscoveredBinary | null> => {
    const launch = await launchFor(found, choice, want);
    return launch ? { ...launch, searched: [...searched, ...launch.searched] } : null;
  };

  const fromSettings = options.settings?.[service]?.trim();
  if (fromSettings) {
    const target = path.resolve(expandHome(fromSettings, options.homeDir));
    const found = await probePath(target);
    searched.push(`Settings: ${target} (${found.kind === 'missing' ? found.reason : 'found'})`);
    const launch = await done(found);
    if (launch) return launch;
  } else {
    searched.push('Settings: no path set');
  }

  for (const override of lookup.envOverrides) {
    const value = readEnv(options.appEnv, override.name, platform)?.trim();
    if (!value) {
      searched.push(`$${override.name}: not set (${override.expects})`);
      continue;
    }
    const target = path.resolve(expandHome(value, options.homeDir));
    const found = await probePath(target);
    searched.push(
      `$${override.name}: ${target} (${found.kind === 'missing' ? found.reason : 'found'})`,
    );
    const launch = await done(found);
    if (launch) return launch;
  }

  const onPath = await findOnPath(lookup.binName, options.appEnv, platform);
  searched.push(...onPath.searched);
  if (onPath.found) {
    const launch = await done(onPath.found);
    if (launch) return launch;
  }

  const homeBin = path.join(options.homeDir, '.stigmer', 'bin');
  for (const file of executableNames(lookup.binName, options.appEnv, platform)) {
    const target = path.join(homeBin, file);
    const found = await probePath(target);
    if (found.kind !== 'missing' || file === lookup.binName) {
      searched.push(`${target} (${found.kind === 'missing' ? found.reason : 'found'})`);
    }
    const launch = await done(found);
    if (launch) return launch;
  }

  // Last: the runner inside the app, so one the user installed or set above always wins.
  const bundledDir =
    service === 'agent-runner'
      ? bundledRunnerDir(options.bundledRunnerDir, options.appEnv, platform)
      : null;
  if (bundledDir) {
    const bundled = await readBundledRunner(bundledDir);
    if ('problem' in bundled) {
      searched.push(`Bundled runner: ${bundled.problem}`);
    } else {
      searched.push(`Bundled runner: ${bundled.script} (${bundled.version})`);
      const launch = await nodeLaunch(bundled.script, bundled.enginesNode, choice, want);
      return {
        ...launch,
        searched: [...searched, ...launch.searched],
        bundled: { version: bundled.version, script: bundled.script },
      };
    }
  }

  return { command: null, args: [], env: {}, searched };
}

/** Discovers the binaries of all default services. */
export async function discoverBinaries(
  options: DiscoveryOptions,
): Promise<Record<DefaultServiceName, DiscoveredBinary>> {
  const [temporal, server, runner] = await Promise.all(
    DEFAULT_SERVICE_NAMES.map((name) => discoverBinary(name, options)),
  );
  return {
    temporal: temporal as DiscoveredBinary,
    'stigmer-server': server as DiscoveredBinary,
    'agent-runner': runner as DiscoveredBinary,
  };
}
