import path from 'node:path';
import {
  BINARY_SERVICES,
  type BinaryService,
  type Settings,
} from '../../../src-shared/model/settings';
import { readEnv } from './base-env';
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

/** Binary paths chosen by the user in Settings; they win over everything else. */
export type BinarySettings = Settings['binaries'];

/**
 * How Node scripts are run. In Electron: `process.execPath` with `{ ELECTRON_RUN_AS_NODE: '1' }`;
 * in plain Node: `process.execPath` with `{}`.
 */
export interface NodeRuntime {
  nodeExecutable: string;
  nodeEnv: Record<string, string>;
}

/** Inputs of binary discovery. */
export interface DiscoveryOptions extends NodeRuntime {
  settings?: BinarySettings;
  appEnv: NodeJS.ProcessEnv;
  homeDir: string;
  platform?: NodeJS.Platform;
}

/** How to launch a found binary (or null command when nothing usable was found). */
export interface DiscoveredBinary {
  /** Absolute executable: the binary itself, or the Node executable for scripts. */
  command: string | null;
  /** Leading args: the script path for Node scripts, else empty. */
  args: string[];
  /** Env the launch itself needs (the node env for scripts), merged into the service env. */
  env: Record<string, string>;
  /** Every place looked at, human-readable, in order. */
  searched: string[];
}

interface EnvOverride {
  name: string;
  /** What the variable is expected to hold, for the `searched` list. */
  expects: string;
}

interface ServiceLookup {
  envOverrides: EnvOverride[];
  binName: string;
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
  },
};

/** Turns a probe hit into a launch: scripts run under the configured Node executable. */
export function launchFor(found: ProbeResult, runtime: NodeRuntime): DiscoveredBinary | null {
  if (found.kind === 'missing') return null;
  if (found.kind === 'script') {
    return {
      command: runtime.nodeExecutable,
      args: [found.path],
      env: { ...runtime.nodeEnv },
      searched: [],
    };
  }
  return { command: found.path, args: [], env: {}, searched: [] };
}

/** Finds one default service's binary: settings, then env overrides, then PATH, then ~/.stigmer/bin. */
export async function discoverBinary(
  service: DefaultServiceName,
  options: DiscoveryOptions,
): Promise<DiscoveredBinary> {
  const platform = options.platform ?? process.platform;
  const lookup = LOOKUPS[service];
  const searched: string[] = [];
  const done = (found: ProbeResult): DiscoveredBinary | null => {
    const launch = launchFor(found, options);
    return launch ? { ...launch, searched } : null;
  };

  const fromSettings = options.settings?.[service]?.trim();
  if (fromSettings) {
    const target = path.resolve(expandHome(fromSettings, options.homeDir));
    const found = await probePath(target);
    searched.push(`Settings: ${target} (${found.kind === 'missing' ? found.reason : 'found'})`);
    const launch = done(found);
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
    const launch = done(found);
    if (launch) return launch;
  }

  const onPath = await findOnPath(lookup.binName, options.appEnv, platform);
  searched.push(...onPath.searched);
  if (onPath.found) {
    const launch = done(onPath.found);
    if (launch) return launch;
  }

  const homeBin = path.join(options.homeDir, '.stigmer', 'bin');
  for (const file of executableNames(lookup.binName, options.appEnv, platform)) {
    const target = path.join(homeBin, file);
    const found = await probePath(target);
    if (found.kind !== 'missing' || file === lookup.binName) {
      searched.push(`${target} (${found.kind === 'missing' ? found.reason : 'found'})`);
    }
    const launch = done(found);
    if (launch) return launch;
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
