import type { ServiceSpec } from '../stack/types';
import { KeysHeldError, NeedsKeyError } from './needs-key';
import { checkPortFree, portInUseAdvice } from './port-check';
import { PROBE_INTERVAL_MS, tcpOpen } from './wait-for';

/** What a spawn's preparation ended in: the env to spawn with, or why there is no spawn. */
export type SpawnPreparation =
  | { kind: 'env'; env: Record<string, string> }
  | { kind: 'fail'; reason: string }
  | { kind: 'needs-key'; keys: readonly string[] }
  | { kind: 'held'; reason: string }
  /** A stop or a newer start took over meanwhile. */
  | { kind: 'stale' };

/**
 * Port checks, then the env: everything between "starting" and the spawn itself. Every await
 * is followed by a `stale()` check so a stop or a new start wins over this (stale) work.
 */
export async function prepareSpawn(
  spec: ServiceSpec,
  prepareEnv: (spec: ServiceSpec) => Promise<Record<string, string>>,
  stale: () => boolean,
): Promise<SpawnPreparation> {
  for (const port of spec.ports) {
    const check = await checkPortFree(port);
    if (stale()) return { kind: 'stale' };
    if (!check.free) return { kind: 'fail', reason: portInUseAdvice(port, check.holder) };
  }
  let env: Record<string, string>;
  try {
    env = await prepareEnv(spec);
  } catch (err) {
    if (stale()) return { kind: 'stale' };
    if (err instanceof NeedsKeyError) return { kind: 'needs-key', keys: err.keys };
    if (err instanceof KeysHeldError) return { kind: 'held', reason: err.message };
    return { kind: 'fail', reason: `${spec.name} could not get its environment: ${String(err)}` };
  }
  if (stale()) return { kind: 'stale' };
  return { kind: 'env', env };
}

/** How probeUntilOpen tells its owner what it does (the owner keeps the state). */
export interface OpenProbeHooks {
  /** The first probe failed: it now waits (state 'waiting', start request settled). */
  waiting: () => void;
  /** Sets (or clears, with null) what ends the pause between two probes at once. */
  setWake: (wake: (() => void) | null) => void;
  /** It opened after a wait, and nothing took over. */
  opened: () => void;
}

/**
 * Probe `target` until it accepts a TCP connection; meanwhile the state is 'waiting' and the
 * start request is settled (it is not a failure: nothing runs, nothing is retried or counted).
 * Resolves false when a stop or a newer start took over.
 */
export async function probeUntilOpen(
  target: { host: string; port: number },
  stale: () => boolean,
  probeMs: number | undefined,
  hooks: OpenProbeHooks,
): Promise<boolean> {
  if (await tcpOpen(target.host, target.port)) return !stale();
  if (stale()) return false;
  hooks.waiting();
  const pause = Math.max(probeMs ?? PROBE_INTERVAL_MS, 10);
  for (;;) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pause);
      hooks.setWake(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    hooks.setWake(null);
    if (stale()) return false;
    if (await tcpOpen(target.host, target.port)) break;
    if (stale()) return false;
  }
  if (stale()) return false;
  hooks.opened();
  return true;
}
