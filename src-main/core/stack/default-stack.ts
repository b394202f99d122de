import path from 'node:path';
import { baseEnv, readEnv } from './base-env';
import type { DefaultServiceName, DiscoveredBinary } from './discovery';
import type { RestartPolicy, ServiceSpec, StackSpec } from './types';

/** Port of the managed Temporal dev server. */
export const TEMPORAL_PORT = 7233;
/** Port of the Temporal web UI. */
export const TEMPORAL_UI_PORT = 8233;
/** stigmer-server's gRPC/Connect/REST port. */
export const SERVER_PORT = 7234;
/** stigmer-server's artifact port. */
export const SERVER_ARTIFACT_PORT = 7235;
/** The line agent-runner prints once it polls for work. */
export const RUNNER_READY_PATTERN = 'Worker ready, polling for tasks';

/**
 * The Stigmer CLI's rules: at most 5 restarts (as a crash loop of 5 within 60 s), backoff from
 * 1 s doubling to 30 s. "Died within 5 s of start counts as a crash" is the supervisor's rule.
 */
export const DEFAULT_RESTART: RestartPolicy = {
  policy: 'on-failure',
  initialBackoffMs: 1_000,
  maxBackoffMs: 30_000,
  crashLoopCount: 5,
  crashLoopWindowMs: 60_000,
};

/** Keys agent-runner may receive; only ANTHROPIC_API_KEY is required. */
export const RUNNER_KEYS = [
  { name: 'ANTHROPIC_API_KEY', required: true },
  { name: 'OPENAI_API_KEY', required: false },
  { name: 'CURSOR_API_KEY', required: false },
];

/** Inputs of the default stack. */
export interface DefaultStackOptions {
  /** Holds temporal.db, the server's DB and storage, and the runner's workspace. */
  dataDir: string;
  appEnv: NodeJS.ProcessEnv;
  binaries: Record<DefaultServiceName, DiscoveredBinary>;
  platform?: NodeJS.Platform;
}

/** The address of an external Temporal (`TEMPORAL_SERVICE_ADDRESS` in the app env), or null. */
export function externalTemporalAddress(
  appEnv: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): string | null {
  const value = readEnv(appEnv, 'TEMPORAL_SERVICE_ADDRESS', platform)?.trim();
  return value ? value : null;
}

/** The runner's workspace directory (its cwd and WORKSPACE_ROOT_DIR). */
export function workspaceDir(dataDir: string): string {
  return path.join(dataDir, 'workspace');
}

/** The launch of a found program; a Node script keeps its range and chosen Node (`runtime`). */
function launchArgs(
  binary: DiscoveredBinary,
  rest: string[],
): Pick<ServiceSpec, 'command' | 'args' | 'runtime' | 'bundled'> {
  return {
    command: binary.command,
    args: [...binary.args, ...rest],
    ...(binary.runtime ? { runtime: binary.runtime } : {}),
    ...(binary.bundled ? { bundled: { ...binary.bundled } } : {}),
  };
}

/**
 * The default Stigmer stack: temporal -> stigmer-server -> agent-runner. When the app env names
 * an external Temporal, the temporal service is left out and the others point at it.
 */
export function defaultStack(options: DefaultStackOptions): StackSpec {
  const platform = options.platform ?? process.platform;
  const base = baseEnv(options.appEnv, platform);
  const external = externalTemporalAddress(options.appEnv, platform);
  const temporalAddress = external ?? `localhost:${TEMPORAL_PORT}`;
  const { dataDir, binaries } = options;
  const services: ServiceSpec[] = [];

  if (!external) {
    const bin = binaries.temporal;
    services.push({
      name: 'temporal',
      displayName: 'Temporal',
      ...launchArgs(bin, [
        'server',
        'start-dev',
        '--port',
        String(TEMPORAL_PORT),
        '--ui-port',
        String(TEMPORAL_UI_PORT),
        '--db-filename',
        path.join(dataDir, 'temporal.db'),
        '--log-format',
        'json',
      ]),
      cwd: dataDir,
      env: { ...base, ...bin.env },
      dependsOn: [],
      readiness: { kind: 'tcp', port: TEMPORAL_PORT, host: 'localhost', timeoutMs: 10_000 },
      restart: { ...DEFAULT_RESTART },
      stop: { kind: 'signal', signal: 'SIGTERM', graceMs: 10_000 },
      critical: true,
      ports: [TEMPORAL_PORT, TEMPORAL_UI_PORT],
      searched: bin.searched,
      keys: [],
    });
  }

  const server = binaries['stigmer-server'];
  services.push({
    name: 'stigmer-server',
    displayName: 'Stigmer server',
    ...launchArgs(server, []),
    cwd: dataDir,
    env: {
      ...base,
      ...server.env,
      GRPC_PORT: String(SERVER_PORT),
      TEMPORAL_HOST_PORT: temporalAddress,
      DB_PATH: path.join(dataDir, 'db'),
      STORAGE_PATH: path.join(dataDir, 'storage'),
    },
    dependsOn: external ? [] : ['temporal'],
    readiness: { kind: 'tcp', port: SERVER_PORT, host: 'localhost', timeoutMs: 30_000 },
    restart: { ...DEFAULT_RESTART },
    stop: { kind: 'signal', signal: 'SIGTERM', graceMs: 5_000 },
    critical: true,
    ports: [SERVER_PORT, SERVER_ARTIFACT_PORT],
    searched: server.searched,
    keys: [],
  });

  const runner = binaries['agent-runner'];
  const workspace = workspaceDir(dataDir);
  services.push({
    name: 'agent-runner',
    displayName: 'Agent runner',
    ...launchArgs(runner, []),
    cwd: workspace,
    env: {
      ...base,
      ...runner.env,
      MODE: 'local',
      STIGMER_BACKEND_ENDPOINT: `http://localhost:${SERVER_PORT}`,
      TEMPORAL_SERVICE_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      STIGMER_TASK_QUEUE: 'stigmer_runner',
      WORKSPACE_ROOT_DIR: workspace,
    },
    dependsOn: external ? ['stigmer-server'] : ['stigmer-server', 'temporal'],
    readiness: { kind: 'log', stream: 'stdout', pattern: RUNNER_READY_PATTERN, timeoutMs: 30_000 },
    // Without Temporal it only crash-loops: wait for its address (at once when the stack's own
    // temporal service, a dependency, is up; until it opens when Temporal runs elsewhere or not).
    waitFor: { env: 'TEMPORAL_SERVICE_ADDRESS', label: 'Temporal' },
    restart: { ...DEFAULT_RESTART },
    stop: { kind: 'signal', signal: 'SIGTERM', graceMs: 5_000 },
    critical: false,
    ports: [],
    searched: runner.searched,
    keys: RUNNER_KEYS.map((key) => ({ ...key })),
  });

  return { services };
}
