import type { SecretsSnapshot, StaleConsumer } from '../../src-shared/model/secret';
import type { ServiceStatus } from '../../src-shared/model/service';
import { UserError } from '../../src-shared/model/errors';
import type { StackSpec, ServiceSpec } from './stack/types';
import {
  checkKeyValue,
  cleanKeyValue,
  managedKeyProblem,
  type KeychainStore,
  type SecretStore,
} from './secrets';
import { NeedsKeyError } from './supervisor';

/**
 * What keyInjector needs from the audit trail (AuditRecorder): a mark before the keys are
 * released, and proof afterwards that every entry since the mark is on disk.
 */
export interface ReleaseAudit {
  checkpoint(): number;
  /** Rejects (KeysHeldError) when an entry since `since` could not be written. */
  durable(since: number): Promise<void>;
}

/**
 * Builds a child's final environment at spawn: the spec's env plus exactly the keys that
 * service declares. A missing required key puts the service in "needs key"; a missing
 * optional key is simply not injected (the runner passes keys on to its agents' tools).
 * Fail closed: when a key was released, the env is handed over only once its key.released
 * entry is durable in the journal; otherwise KeysHeldError puts the service in 'held'.
 */
export function keyInjector(secrets: SecretStore, audit: ReleaseAudit | null = null) {
  return async (spec: ServiceSpec): Promise<Record<string, string>> => {
    const env = { ...spec.env };
    const missing: string[] = [];
    // Everything recorded from here on (each release, an unlock) must reach the disk.
    const mark = audit?.checkpoint() ?? 0;
    let released = false;
    for (const key of spec.keys) {
      const outcome = await secrets.resolve(key.name);
      if (outcome === 'ok') {
        // The value is a string only while this env object is built and handed to spawn.
        secrets.withValue(key.name, (value) => {
          env[key.name] = value;
          released = true;
        });
      } else if (key.required) {
        missing.push(key.name);
      }
    }
    if (missing.length > 0) {
      const denied = secrets.info(missing[0]!).remembered;
      throw new NeedsKeyError(
        missing,
        `${spec.name} needs ${missing.join(' and ')}. ` +
          (denied
            ? 'Unlocking the keychain was refused or the entry is gone; enter the key again in Keys.'
            : 'Enter it in the Keys view (or the dialog) to start it.'),
      );
    }
    // Each release was journalled as it happened; it must be on disk before the child starts.
    // On failure the env object (the only copy of the values as strings) is dropped unused.
    if (released && audit) await audit.durable(mark);
    return env;
  };
}

/**
 * Keys the app was launched with (e.g. from a shell) move into the vault and out of process.env.
 * A value with characters no key has (after trimming) is skipped, and one that cannot be stored
 * is reported: either way `report` says why and the app starts without it.
 */
export async function adoptEnvironmentKeys(
  secrets: SecretStore,
  env: NodeJS.ProcessEnv,
  report: (message: string) => void = (message) => console.warn(`[keys] ${message}`),
): Promise<void> {
  for (const name of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'CURSOR_API_KEY']) {
    const raw = env[name];
    if (!raw) continue;
    delete env[name];
    const check = cleanKeyValue(raw);
    if (!check.ok || check.value === '') {
      const why = check.ok ? 'it is empty.' : check.message;
      report(`${name} from the environment was not used: ${why} Enter it in Keys instead.`);
      continue;
    }
    try {
      await secrets.set(name, Buffer.from(check.value, 'utf8'), { source: 'environment' });
    } catch (error) {
      report(
        `${name} from the environment was not used: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

/**
 * Checks a key typed in the dialog before it goes anywhere and returns the value to store:
 * spaces, tabs and line breaks around it trimmed (`notice` says so), anything else outside
 * printable ASCII refused. Messages name a position and a kind, never the value.
 */
export function checkKeyInput(
  name: string,
  value: string,
): { value: string; notice: string | null } {
  const unmanaged = managedKeyProblem(name);
  if (unmanaged) throw new UserError('bad-arguments', unmanaged);
  const check = checkKeyValue(name, value);
  if (!check.ok) throw new UserError('bad-arguments', check.message);
  return { value: check.value, notice: check.notice };
}

/** The renderer's view of keys: metadata, keychain in use, what is needed and by whom. */
export function secretsSnapshot(
  secrets: SecretStore,
  keychain: KeychainStore,
  touchIdAvailable: boolean,
  spec: StackSpec,
  statuses: ServiceStatus[],
  staleConsumers: StaleConsumer[] = [],
): SecretsSnapshot {
  const consumers: Record<string, string[]> = {};
  for (const service of spec.services) {
    for (const key of service.keys) (consumers[key.name] ??= []).push(service.name);
  }
  const needed = [
    ...new Set(statuses.flatMap((s) => (s.state === 'needs-key' ? s.neededKeys : []))),
  ];
  return {
    keys: secrets.list(),
    keychain: { backend: keychain.backend, available: keychain.available, reason: keychain.reason },
    touchIdAvailable,
    needed,
    consumers,
    staleConsumers,
  };
}
