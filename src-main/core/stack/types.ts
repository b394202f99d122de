import type { ServiceRuntime } from '../../../src-shared/model/runtime';
import type { BundledMark } from './bundled-runner';
import type { WaitFor } from './host-port';

/** How the supervisor knows a service is ready. */
export type Readiness =
  | { kind: 'none' }
  | { kind: 'tcp'; port: number; host: string; timeoutMs: number }
  | { kind: 'log'; stream: 'stdout' | 'stderr' | 'any'; pattern: string; timeoutMs: number }
  | { kind: 'http'; url: string; timeoutMs: number };

export type { WaitFor } from './host-port';

/** How a service is asked to stop before SIGKILL. */
export type StopStrategy =
  | { kind: 'signal'; signal: NodeJS.Signals; graceMs: number }
  /** Write `message` (if any) to stdin, then close stdin; SIGKILL after `graceMs`. */
  | { kind: 'stdin'; message: string | null; graceMs: number };

/** When and how fast a crashed service is started again. */
export interface RestartPolicy {
  policy: 'on-failure' | 'always' | 'never';
  /** First backoff delay; doubles each time up to `maxBackoffMs`, with +-20 % jitter. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Crash-loop: this many crashes within `windowMs` -> failed. */
  crashLoopCount: number;
  crashLoopWindowMs: number;
}

/** A fully resolved service definition: what the supervisor runs. Never holds a secret. */
export interface ServiceSpec {
  name: string;
  displayName: string;
  /** Absolute path of the executable, or null when not installed. */
  command: string | null;
  args: string[];
  cwd: string;
  /** The complete environment of the child (not merged with the app's env). */
  env: Record<string, string>;
  dependsOn: string[];
  readiness: Readiness;
  restart: RestartPolicy;
  stop: StopStrategy;
  critical: boolean;
  /** Ports checked before start (a taken port is reported with its holder). */
  ports: number[];
  /** Where the binary was looked for (shown when command is null). */
  searched: string[];
  /** Names of secret keys this service may receive in its env (issue: keys). */
  keys: { name: string; required: boolean }[];
  /** For a Node program: the range it needs and the Node chosen (see NodeProgram); else absent. */
  runtime?: NodeProgram | null;
  /** An address outside the stack to wait for before each spawn (state 'waiting'); none when absent. */
  waitFor?: WaitFor | null;
  /** Set when discovery chose the runner the app carries (bundled-runner.ts); else absent. */
  bundled?: BundledMark | null;
}

/**
 * A service that is a Node script run as `[node, script, ...args]`. `node` is null when no Node
 * satisfies `range`: then the spec's command is null and `problem` says why and what to do.
 */
export interface NodeProgram {
  kind: 'node';
  range: string;
  /** Where the range came from, for the docs' "which Node runs which service". */
  rangeFrom: 'stack file' | 'engines.node' | 'default';
  script: string;
  node: ServiceRuntime | null;
  problem: string | null;
}

/** The whole stack: services in declaration order. */
export interface StackSpec {
  services: ServiceSpec[];
}
