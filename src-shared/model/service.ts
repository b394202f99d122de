import type { RuntimeNeed, ServiceRuntime } from './runtime';

/** Lifecycle state of one supervised service. */
export type ServiceState =
  | 'stopped'
  | 'starting'
  /** Waiting for an address outside the stack to open (see `waitingFor`); probed, never retried. */
  | 'waiting'
  | 'ready'
  | 'stopping'
  | 'backoff'
  | 'crashed'
  | 'failed'
  | 'not-installed'
  /** Waiting for a required key (see `neededKeys`); nothing runs, nothing is retried. */
  | 'needs-key'
  /** Keys held back: the audit journal cannot record their release (see `heldReason`). */
  | 'held';

/** All service states, in a stable order (for filters and tests). */
export const SERVICE_STATES: readonly ServiceState[] = [
  'stopped',
  'starting',
  'waiting',
  'ready',
  'stopping',
  'backoff',
  'crashed',
  'failed',
  'not-installed',
  'needs-key',
  'held',
];

/**
 * States in which a service is up or on its way up: a stop of what it needs stops it too, and
 * a restart of what it needs brings it back. One list for the supervisor and the window.
 */
export const UP_STATES: readonly ServiceState[] = [
  'starting',
  'waiting',
  'ready',
  'backoff',
  'needs-key',
  'held',
];

/** What the renderer and tray know about one service: never a secret, never the env. */
export interface ServiceStatus {
  name: string;
  displayName: string;
  state: ServiceState;
  critical: boolean;
  dependsOn: string[];
  /** Pid of the running child (group leader), if any. */
  pid: number | null;
  /** Epoch ms when the current child was spawned. */
  startedAt: number | null;
  /** Epoch ms when the current child became ready. */
  readyAt: number | null;
  /** Restarts done by the supervisor since the user last started this service. */
  restarts: number;
  /** Ports the service listens on (the first is the one shown). */
  ports: number[];
  /** Human-readable reason for the last failure, written as advice. */
  lastError: string | null;
  /** The last lines the child printed (stdout and stderr), newest last. */
  lastLines: string[];
  /** Epoch ms of the next automatic restart while in backoff. */
  nextRestartAt: number | null;
  /** Resolved executable and argv (no env), for display. */
  command: string[] | null;
  /** Where the binary was looked for when it was not found. */
  searched: string[];
  /** Names of the required keys that have no value (empty unless state is 'needs-key'). */
  neededKeys: string[];
  /** Why the keys are held back (set only while state is 'held'): advice with the journal error. */
  heldReason?: string | null;
  /** Which program runs it: "bundled 3.8.0" (the runner the app carries) or its path; else null. */
  program?: string | null;
  /** The Node that runs this Node program (the row: "Node v22.23.5 (Settings)"); else null. */
  runtime?: ServiceRuntime | null;
  /** The Node it needs and no place searched has (with 'not-installed': "Needs Node 22.13+"). */
  runtimeNeeded?: RuntimeNeed | null;
  /** What it waits for before it starts (set only while state is 'waiting'). */
  waitingFor?: { label: string; address: string } | null;
  /**
   * Set while it is 'stopped' because the user stopped a service it needs (that one); cleared
   * once it runs again. The row, its log and the journal say so; starting that one offers it.
   */
  stoppedBy?: { name: string; displayName: string } | null;
  /** The last failure explained in plain words (reason, fix), when the app knows the cause. */
  failure?: { kind: string; reason: string; fix: string; permanent: boolean } | null;
}

/** What a running service's process group uses: all its processes summed. */
export interface ServiceUsage {
  /** CPU over the last sampling interval; 100 = one core fully busy; null on the first sample. */
  cpuPercent: number | null;
  /** Resident memory. */
  rssBytes: number;
  /** Processes in the service's process group (the child and whatever it spawned). */
  processes: number;
}

/** One sampling of every running service (services without a running child are absent). */
export interface UsageReport {
  /** Epoch ms of the sample. */
  at: number;
  services: Record<string, ServiceUsage>;
}

/** Overall stack state, used for the tray icon and the header line. */
export type StackState = 'stopped' | 'starting' | 'ready' | 'degraded' | 'failed';

/** One consistent picture of the whole stack. */
export interface StackSnapshot {
  state: StackState;
  services: ServiceStatus[];
  /** The user stack file: where it is and, if the last edit was rejected, why. */
  stackFile: { path: string; exists: boolean; error: string | null };
  /** Monotonic counter so that stale events can be ignored. */
  version: number;
}

/**
 * Derive the stack state from its services (pure; shared by tray, window and core).
 * A service waiting for a key ('needs-key') or held back ('held') makes the stack degraded, never
 * failed or ready.
 */
export function stackStateOf(services: readonly ServiceStatus[]): StackState {
  const installed = services.filter((s) => s.state !== 'not-installed');
  if (installed.length === 0) return 'stopped';
  const criticalFailed = installed.some(
    (s) => s.critical && (s.state === 'failed' || s.state === 'crashed'),
  );
  if (criticalFailed) return 'failed';
  if (installed.every((s) => s.state === 'stopped')) return 'stopped';
  if (installed.some((s) => s.state === 'starting' || s.state === 'stopping')) return 'starting';
  if (installed.every((s) => s.state === 'ready')) return 'ready';
  return 'degraded';
}

/** "Waiting for Temporal at 127.0.0.1:7233" (the row's and the tray's label while waiting). */
export function waitingLabel(w: { label: string; address: string }): string {
  return w.label === w.address
    ? `Waiting for ${w.address}`
    : `Waiting for ${w.label} at ${w.address}`;
}

/** What the user can do so that the awaited address opens. */
export function waitingHint(w: { label: string; address: string }): string {
  if (w.label === 'Temporal') {
    return 'Enable the temporal service in your stack file, or run `temporal server start-dev` in a terminal.';
  }
  return `Start what should listen on ${w.address}, or change wait_for in the stack file. It starts as soon as that address accepts connections.`;
}

/** "Stigmer server was stopped and Agent runner needs it" (journal, log line and row). */
export function stoppedBySentence(s: Pick<ServiceStatus, 'displayName' | 'stoppedBy'>): string {
  return s.stoppedBy ? `${s.stoppedBy.displayName} was stopped and ${s.displayName} needs it` : '';
}
