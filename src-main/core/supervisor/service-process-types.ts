import type { ServiceSpec } from '../stack/types';
import type { ExitInfo } from './advice';
import type { SignalReport } from './child-handle';
import type { OutputStream } from './line-tail';

/** Where a start request ended: ready, or the state that stopped it from getting there. */
export type StartOutcome =
  'ready' | 'failed' | 'crashed' | 'stopped' | 'not-installed' | 'needs-key' | 'held' | 'waiting';

/**
 * Why the app stops a child; written with each signal to its log and the journal. The words
 * are the user's ("user stop", "quit"), optionally followed by what caused it.
 */
export type StopReason =
  | 'user stop'
  | 'readiness timeout'
  | 'crash-loop stop'
  | 'quit'
  | 'rotation'
  | 'restart'
  | 'dependency failed'
  /** The user stopped a service this one needs (the supervisor says which in its status). */
  | 'dependency stopped'
  | 'removed from the stack';

/** A signal (or stdin shutdown) sent to a child, with why. */
export interface SignalEvent extends SignalReport {
  /** Why it was sent, e.g. "user stop" or "readiness timeout (did not print … within 30 s)". */
  reason: string;
  /** The whole sentence for the log and journal: "SIGTERM to pid 123 (group): user stop". */
  detail: string;
}

/** How the last child ended, and whether SIGKILL was needed to end it. */
export interface ExitRecord extends ExitInfo {
  forced: boolean;
}

/** What a ServiceProcess needs from its owner (clock, randomness, env hook, event sinks). */
export interface ServiceProcessOptions {
  runDir: string;
  now: () => number;
  random: () => number;
  prepareEnv: (spec: ServiceSpec) => Promise<Record<string, string>>;
  onChange: () => void;
  onOutput: (stream: OutputStream, chunk: Buffer) => void;
  /** Redacts secrets from a line before it is kept for status and crash reasons. */
  redact?: (line: string) => string;
  /** Told of every signal sent to a child (and of a stdin shutdown), as it is sent. */
  onSignal?: (event: SignalEvent) => void;
  /** Pause between probes of a `waitFor` address (default 1 s; never less in the app). */
  waitProbeMs?: number;
  /**
   * Called after each chunk is passed on: a promise while log capture is behind (its worker has
   * more than a few MiB queued), during which this child's pipes are paused, so the child waits
   * as it did when capture ran on this thread, instead of the queue growing without bound.
   */
  outputBackpressure?: () => Promise<void> | null;
}
