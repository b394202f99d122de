import type { ServiceSpec } from '../stack/types';
import type { ServiceState, ServiceStatus } from '../../../src-shared/model/service';
import { programLabel } from '../stack/bundled-runner';
import type { FailureExplanation } from './failure-knowledge';

/** What a ServiceProcess knows at one moment, for its status snapshot. */
export interface StatusFields {
  spec: ServiceSpec;
  state: ServiceState;
  pid: number | null;
  startedAt: number | null;
  readyAt: number | null;
  restarts: number;
  lastError: string | null;
  /** The current (or last) child's lines. */
  lastLines: string[];
  nextRestartAt: number | null;
  neededKeys: readonly string[];
  heldReason: string | null;
  waitingFor: { label: string; address: string } | null;
  failure: FailureExplanation | null;
}

/** A snapshot for the renderer and tray: no env, no secrets. */
export function buildServiceStatus(f: StatusFields): ServiceStatus {
  const s = f.spec;
  return {
    name: s.name,
    displayName: s.displayName,
    state: f.state,
    critical: s.critical,
    dependsOn: [...s.dependsOn],
    pid: f.pid,
    startedAt: f.startedAt,
    readyAt: f.readyAt,
    restarts: f.restarts,
    ports: [...s.ports],
    // A Node program without a Node it can run on: the advice says which Node and what to do.
    lastError: f.state === 'not-installed' && s.runtime?.problem ? s.runtime.problem : f.lastError,
    // The current (or last) child's lines only: "Show last output" never mixes earlier runs.
    lastLines: f.lastLines,
    nextRestartAt: f.nextRestartAt,
    command: s.command === null ? null : [s.command, ...s.args],
    searched: [...s.searched],
    neededKeys: f.state === 'needs-key' ? [...f.neededKeys] : [],
    heldReason: f.state === 'held' ? f.heldReason : null,
    program: programLabel(s),
    runtime: s.runtime?.node ?? null,
    runtimeNeeded: s.runtime && !s.runtime.node ? { kind: 'node', range: s.runtime.range } : null,
    waitingFor: f.state === 'waiting' ? f.waitingFor : null,
    failure: f.failure && {
      kind: f.failure.kind,
      reason: f.failure.reason,
      fix: f.failure.fix,
      permanent: f.failure.permanent,
    },
  };
}
