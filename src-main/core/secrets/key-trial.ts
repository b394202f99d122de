import { UserError } from '../../../src-shared/model/errors';
import { takeBytes } from './key-transaction';
import type { Vault } from './vault';

/** A new value on trial in the vault (see `SecretStore.trial`). */
export interface KeyTrial<Options, Change> {
  /** Stores the value for good; on failure the previous value is back and it rejects. */
  commit(options: Options): Promise<Change>;
  /** Puts the previous value back (a no-op once settled). */
  rollback(): void;
}

/** What a trial needs from the store that runs it. */
export interface TrialHost<Options, Change> {
  vault: Vault;
  /** Previous values of keys under trial: still redacted, since the old child may print them. */
  previousValues: Map<string, Buffer>;
  changed(): void;
  /** Runs `work` under the store's change lock. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** Stores `bytes` for good (keychain, keys.json, then vault); rejects having changed nothing. */
  store(name: string, bytes: Buffer, options: Options): Promise<Change>;
}

/**
 * Puts `value` in the vault for a trial (rotation) without touching the keychain or keys.json.
 * The previous value is kept aside until the trial settles: `commit` stores the new one as a
 * transaction (and on failure puts the previous one back before rejecting), `rollback` puts
 * the previous one back at once.
 */
export function startTrial<Options, Change>(
  host: TrialHost<Options, Change>,
  name: string,
  value: Buffer,
): KeyTrial<Options, Change> {
  const { vault } = host;
  const previous = vault.has(name)
    ? {
        bytes: vault.withBytes(name, (b) => takeBytes(Buffer.from(b)))!,
        source: vault.info(name).source ?? 'session',
      }
    : null;
  if (previous) host.previousValues.set(name, previous.bytes);
  vault.set(name, value, 'session');
  host.changed();
  let settled = false;
  const rollback = () => {
    if (settled) return;
    settled = true;
    host.previousValues.delete(name);
    if (previous) vault.set(name, previous.bytes, previous.source);
    else vault.delete(name);
    host.changed();
  };
  const commit = (options: Options) =>
    host.exclusive(async () => {
      const next = vault.withBytes(name, (b) => takeBytes(Buffer.from(b)));
      if (settled || !next) {
        rollback();
        throw new UserError(
          'conflict',
          `${name} was changed or removed during the rotation; the previous key is back. Rotate it again.`,
        );
      }
      try {
        const change = await host.store(name, next, options);
        settled = true;
        host.previousValues.delete(name);
        previous?.bytes.fill(0);
        return change;
      } catch (error) {
        rollback();
        throw error;
      } finally {
        next.fill(0);
      }
    });
  return { commit, rollback };
}
