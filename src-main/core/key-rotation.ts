import type { RotationResult } from '../../src-shared/model/secret';
import type { ServiceStatus } from '../../src-shared/model/service';
import type { SecretStore, SetOptions } from './secrets';
import type { StackSpec } from './stack/types';
import type { Supervisor } from './supervisor';

type Outcome = { ok: true } | { ok: false; reason: string };

const RUNNING = new Set(['starting', 'ready', 'backoff', 'crashed', 'needs-key']);

/**
 * Restart one service and report whether it came back ready. A crash or a failed readiness
 * after the restart began counts as "did not come up" at once, without waiting out the
 * backoff: a rotation should not crash-loop a service on a key the provider refuses.
 */
function restartAndWatch(supervisor: Supervisor, name: string): Promise<Outcome> {
  return new Promise((resolve) => {
    let began = false;
    const off = supervisor.onChange((statuses: ServiceStatus[]) => {
      const s = statuses.find((x) => x.name === name);
      if (!s) return;
      if (s.state === 'starting') began = true;
      if (!began) return;
      if (s.state === 'ready') {
        off();
        resolve({ ok: true });
      } else if (['backoff', 'crashed', 'failed', 'needs-key', 'stopped'].includes(s.state)) {
        off();
        // The supervisor's own "Restarting in N s" no longer applies: the rotation takes over.
        const reason = (s.lastError ?? `${name} stopped.`).replace(
          /\s*Restarting in [\d.]+ s\.?/,
          '',
        );
        resolve({ ok: false, reason });
      }
    });
    supervisor.restart(name, 'rotation').catch((error: unknown) => {
      off();
      resolve({ ok: false, reason: error instanceof Error ? error.message : String(error) });
    });
  });
}

/** Restart the services in order, stopping at the first that does not come up. */
async function restartAll(supervisor: Supervisor, names: string[]): Promise<Outcome> {
  for (const name of names) {
    const outcome = await restartAndWatch(supervisor, name);
    if (!outcome.ok) return outcome;
  }
  return { ok: true };
}

/**
 * Rotate a key: try the new value on the services that use it (in dependency order), and
 * only when all are ready store it for good; otherwise put the previous value back, restart
 * them again and say what happened.
 */
export async function rotateKey(
  deps: { secrets: SecretStore; supervisor: Supervisor; spec: StackSpec },
  name: string,
  value: Buffer,
  options: SetOptions,
): Promise<Omit<RotationResult, 'keys'>> {
  const { secrets, supervisor, spec } = deps;
  const running = new Set(
    supervisor
      .statuses()
      .filter((s) => RUNNING.has(s.state))
      .map((s) => s.name),
  );
  // spec.services is in declaration order, which the stack keeps topological for consumers.
  const consumers = spec.services
    .filter((s) => s.keys.some((k) => k.name === name) && running.has(s.name))
    .map((s) => s.name);

  const trial = await secrets.trial(name, value);
  const tried = await restartAll(supervisor, consumers);
  let failure: string;
  if (tried.ok) {
    try {
      // keychain and keys.json first; on failure the store has already put the previous key back
      await trial.commit(options);
      const who = consumers.length ? ` ${consumers.join(', ')} restarted with it and ready.` : '';
      return { outcome: 'rotated', services: consumers, message: `${name} rotated.${who}` };
    } catch (error) {
      // The store's message says what failed and that nothing changed ("Could not save …").
      failure = error instanceof Error ? error.message : `Could not save ${name}: ${String(error)}`;
    }
  } else {
    trial.rollback();
    failure = `${consumers.join(', ')} did not come up with the new ${name}: ${tried.reason}`;
  }
  if (consumers.length === 0) {
    return {
      outcome: 'rolled-back',
      services: [],
      message: `${failure} The previous key is kept.`,
    };
  }
  // The consumers run with the new value: restart them with the previous one.
  const back = await restartAll(supervisor, consumers);
  const after = back.ok
    ? `The previous key is back and ${consumers.join(', ')} is ready again.`
    : `The previous key is back, but ${consumers.join(', ')} did not come up either: ${back.reason}`;
  return { outcome: 'rolled-back', services: consumers, message: `${failure} ${after}` };
}
