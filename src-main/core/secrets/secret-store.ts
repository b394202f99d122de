import { UserError } from '../../../src-shared/model/errors';
import { createFingerprinter, type Fingerprinter } from './fingerprint';
import { KEY_CATALOG, KEY_NAME_PATTERN, keySpec, managedKeyProblem } from './key-catalog';
import { keysFilePath, readKeyMetadata, writeKeyMetadata, type KeyMetadata } from './key-metadata';
import { KeychainUndo, changeFailed, errorText, takeBytes } from './key-transaction';
import { startTrial, type KeyTrial as KeyTrialOf } from './key-trial';
import type { KeychainStore } from './keychain';
import { SecretEmitter } from './secret-emitter';
import type { SecretEventType, SecretInfo, SecretSource } from './types';
import type { UnlockGate } from './unlock-gate';
import { Vault, type VaultInfo } from './vault';

/** A new value on trial in the vault (see `SecretStore.trial`). */
export type KeyTrial = KeyTrialOf<SetOptions, SecretChange>;

/** Options for `SecretStore.open`. */
export interface SecretStoreOptions {
  userDataDir: string;
  keychain: KeychainStore;
  gate: UnlockGate;
  /** Idle eviction limit in ms (default 10 min); 0 turns it off. */
  idleMs?: number;
  now?: () => number;
  /** Defaults to the per-install HMAC under `userDataDir`. */
  fingerprint?: Fingerprinter;
}

/** How `SecretStore.set` should hold a value. */
export interface SetOptions {
  /** Also store it in the OS keychain (falls back to session memory when there is none). */
  remember?: boolean;
  /** Ask the unlock gate (Touch ID) before a remembered value leaves the keychain. */
  requireTouchId?: boolean;
  /** 'environment' for values taken from the app's own environment at start. */
  source?: 'session' | 'environment';
}

/** What `set` and `delete` did; `notice` explains a fallback the user should hear about. */
export interface SecretChange {
  info: SecretInfo;
  notice: string | null;
}

/** Keys in memory (vault) + remembered keys (keychain, behind the gate) + metadata on disk. */
export class SecretStore extends SecretEmitter {
  private readonly pending = new Map<string, Promise<'ok' | 'missing' | 'denied'>>();
  /** Changes run one at a time, so each one's undo sees the state it started from. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Previous values of keys under rotation (zeroed when the rotation ends). */
  private readonly previousValues = new Map<string, Buffer>();

  private constructor(
    private readonly options: SecretStoreOptions,
    private readonly vault: Vault,
    /** Replaced, never edited in place, and only once keys.json says the same. */
    private meta: Map<string, KeyMetadata>,
    private readonly fingerprint: Fingerprinter,
    private readonly now: () => number,
  ) {
    super();
  }

  /** Loads the install key and `keys.json`, and builds the vault. */
  static async open(options: SecretStoreOptions): Promise<SecretStore> {
    const fingerprint = options.fingerprint ?? (await createFingerprinter(options.userDataDir));
    const vault = new Vault({ fingerprint, idleMs: options.idleMs, now: options.now });
    const meta = await readKeyMetadata(options.userDataDir);
    return new SecretStore(options, vault, meta, fingerprint, options.now ?? Date.now);
  }

  /** The keychain in use, for the UI to say which one (or why none). */
  get keychain(): KeychainStore {
    return this.options.keychain;
  }

  /**
   * Takes ownership of `value` (the caller's buffer is zeroed) and optionally remembers it.
   * A transaction: keychain, then keys.json, and only then memory and events. When keys.json
   * cannot be written the keychain is put back and it rejects with a UserError saying why;
   * the key in use stays the previous one.
   */
  async set(name: string, value: Buffer, options: SetOptions = {}): Promise<SecretChange> {
    checkName(name);
    const bytes = takeBytes(value);
    try {
      return await this.exclusive(() => this.store(name, bytes, options));
    } finally {
      bytes.fill(0);
    }
  }

  private async store(name: string, bytes: Buffer, options: SetOptions): Promise<SecretChange> {
    const { keychain, gate } = this.options;
    const wantRemember = options.remember === true && options.source !== 'environment';
    const previous = this.meta.get(name);
    let notice: string | null = null;
    let undo: KeychainUndo | null = null;
    if (wantRemember && !keychain.available) {
      notice = `${name} is kept for this session only. ${keychain.reason ?? ''}`.trim();
    } else if (wantRemember) {
      const capture = await KeychainUndo.capture(keychain, name);
      try {
        await keychain.set(name, bytes);
        undo = capture;
      } catch (error) {
        capture.discard();
        notice = `${name} is kept for this session only: the ${keychain.backend} refused it (${errorText(error)}).`;
      }
    }
    const remembered = undo !== null;
    const next = new Map(this.meta).set(name, {
      remembered,
      requireTouchId: remembered && options.requireTouchId === true && gate.kind === 'touch-id',
      fingerprint: this.fingerprint(bytes),
      updatedAt: this.now(),
    });
    try {
      await writeKeyMetadata(this.options.userDataDir, next);
    } catch (error) {
      const undoProblem = undo ? await undo.undo() : null;
      throw changeFailed('save', name, error, keysFilePath(this.options.userDataDir), undoProblem);
    }
    undo?.discard();
    this.meta = next;
    if (!remembered && previous?.remembered && keychain.available) {
      // keys.json no longer points at the old entry, so removing it can only tidy up; a value
      // the user chose not to remember must not stay behind in the keychain.
      await keychain.delete(name).catch((error: unknown) => {
        notice = `The previous ${name} could not be removed from the ${keychain.backend} (${errorText(error)}). Remove it there by hand.`;
      });
    }
    this.vault.set(name, bytes, remembered ? 'keychain' : (options.source ?? 'session'));
    this.emit('key.entered', name);
    if (remembered) this.emit('key.stored', name);
    this.changed();
    return { info: this.info(name), notice };
  }

  /**
   * Makes sure the value is in the vault: already there → 'ok'; remembered → through the gate
   * (when required) and out of the keychain → 'ok'; a gate cancel → 'denied'; else 'missing'.
   */
  resolve(name: string): Promise<'ok' | 'missing' | 'denied'> {
    if (this.vault.has(name)) return Promise.resolve('ok');
    // One prompt for concurrent callers (e.g. two services starting together).
    const inFlight = this.pending.get(name);
    if (inFlight) return inFlight;
    const attempt = this.load(name).finally(() => this.pending.delete(name));
    this.pending.set(name, attempt);
    return attempt;
  }

  private async load(name: string): Promise<'ok' | 'missing' | 'denied'> {
    const meta = this.meta.get(name);
    const { keychain, gate } = this.options;
    if (!meta?.remembered || !keychain.available) return 'missing';
    if (meta.requireTouchId) {
      const answer = await gate
        .request(`release ${name} to the Stigmer stack`)
        .catch(() => 'denied');
      this.emit(answer === 'granted' ? 'key.unlock-granted' : 'key.unlock-denied', name);
      if (answer !== 'granted') return 'denied';
    }
    let value: Buffer | null;
    try {
      value = await keychain.get(name);
    } catch {
      return 'missing'; // locked or gone away since start: the caller asks the user instead
    }
    if (!value) {
      await this.reconcile(name, { ...meta, remembered: false, requireTouchId: false });
      this.changed();
      return 'missing';
    }
    const info = this.vault.set(name, value, 'keychain');
    if (info.fingerprint !== meta.fingerprint) {
      // Changed outside the app (e.g. in Keychain Access): show what is really held.
      await this.reconcile(name, { ...meta, fingerprint: info.fingerprint });
    }
    this.changed();
    return 'ok';
  }

  /**
   * Puts `value` in the vault for a trial (rotation) without touching the keychain or the
   * metadata; `commit` stores it for good, `rollback` puts the previous value back.
   */
  async trial(name: string, value: Buffer): Promise<KeyTrial> {
    checkName(name);
    await this.resolve(name);
    return startTrial<SetOptions, SecretChange>(
      {
        vault: this.vault,
        previousValues: this.previousValues,
        changed: () => this.changed(),
        exclusive: (work) => this.exclusive(work),
        store: (key, bytes, options) => this.store(key, bytes, options),
      },
      name,
      value,
    );
  }

  /**
   * The values to redact from service output: every key in the vault, plus the previous value
   * of a key under rotation (the old child may still print it). Not a delivery: no event.
   */
  redactionList(): { name: string; value: string }[] {
    const list: { name: string; value: string }[] = [];
    for (const name of this.vault.names()) {
      this.vault.withValue(name, (value) => list.push({ name, value }));
    }
    for (const [name, bytes] of this.previousValues)
      list.push({ name, value: bytes.toString('utf8') });
    return list;
  }

  /** Delivers the value to `fn` (see `Vault.withValue`), restarting its idle countdown. */
  withValue<T>(name: string, fn: (value: string) => T): T | undefined {
    if (!this.vault.has(name)) return undefined;
    this.vault.touch(name);
    this.emit('key.released', name);
    return this.vault.withValue(name, fn);
  }

  /**
   * Forgets a key everywhere: keychain, then keys.json, then memory. Only keys the app manages;
   * when a step fails the ones before it are undone and it rejects with a UserError.
   */
  async delete(name: string): Promise<SecretChange> {
    const unmanaged = managedKeyProblem(name);
    if (unmanaged) throw new UserError('bad-arguments', unmanaged);
    return this.exclusive(async () => {
      const { keychain } = this.options;
      const fingerprint = this.fingerprintOf(name);
      const undo = await KeychainUndo.capture(keychain, name);
      if (keychain.available) {
        try {
          await keychain.delete(name);
        } catch (error) {
          undo.discard();
          throw new UserError(
            'failed',
            `Could not delete ${name}: the ${keychain.backend} refused (${errorText(error)}). Nothing was changed; unlock the ${keychain.backend} and try again.`,
          );
        }
      }
      if (this.meta.has(name)) {
        const next = new Map(this.meta);
        next.delete(name);
        try {
          await writeKeyMetadata(this.options.userDataDir, next);
        } catch (error) {
          const undoProblem = keychain.available ? await undo.undo() : null;
          const path = keysFilePath(this.options.userDataDir);
          throw changeFailed('delete', name, error, path, undoProblem);
        }
        this.meta = next;
      }
      undo.discard();
      this.vault.delete(name);
      this.emitWith('key.deleted', name, fingerprint);
      this.changed();
      return { info: this.info(name), notice: null };
    });
  }

  /** "Lock keys": wipes the vault; remembered keys come back through the gate on next use. */
  lock(): string[] {
    const fingerprints = new Map(this.vault.names().map((n) => [n, this.fingerprintOf(n)]));
    const names = this.vault.clear();
    for (const name of names) this.emitWith('key.locked', name, fingerprints.get(name) ?? null);
    if (names.length > 0) this.changed();
    return names;
  }

  /** Drops keys idle past the limit now (the timer of `startIdleEviction` does the same). */
  evictIdle(now?: number): string[] {
    const before = new Map(this.vault.names().map((n) => [n, this.vault.info(n)]));
    const names = this.vault.evictIdle(now);
    this.evicted(names.map((n) => before.get(n) ?? this.vault.info(n)));
    return names;
  }

  /** Checks for idle keys every `intervalMs` with the store's clock. */
  startIdleEviction(intervalMs?: number): void {
    this.vault.startIdleTimer((evicted) => this.evicted(evicted), intervalMs);
  }

  /** Changes the idle limit (the setting); 0 turns eviction off. */
  setIdleMs(ms: number): void {
    this.vault.setIdleMs(ms);
  }

  /** Metadata of one key. */
  info(name: string): SecretInfo {
    const held = this.vault.info(name);
    const meta = this.meta.get(name);
    const remembered = meta?.remembered ?? false;
    let source: SecretSource | null = held.source;
    if (!source && remembered) source = 'keychain';
    return {
      name,
      required: keySpec(name)?.required ?? false,
      set: held.set || remembered,
      loaded: held.set,
      source,
      fingerprint: held.fingerprint ?? meta?.fingerprint ?? null,
      updatedAt: meta?.updatedAt ?? held.updatedAt,
      remembered,
      requireTouchId: meta?.requireTouchId ?? false,
    };
  }

  /** Every catalog key plus any other key known to the vault or metadata. */
  list(): SecretInfo[] {
    const names = new Set([
      ...KEY_CATALOG.map((s) => s.name),
      ...this.meta.keys(),
      ...this.vault.names(),
    ]);
    return [...names].map((name) => this.info(name));
  }

  /** Stops eviction and zeroes the vault (the app is quitting). */
  dispose(): void {
    this.vault.dispose();
  }

  private evicted(evicted: VaultInfo[]): void {
    for (const { name, fingerprint } of evicted) this.emitWith('key.evicted', name, fingerprint);
    if (evicted.length > 0) this.changed();
  }

  private fingerprintOf(name: string): string | null {
    return this.vault.info(name).fingerprint ?? this.meta.get(name)?.fingerprint ?? null;
  }

  /** Runs changes one after another; a failed one does not stop the next. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Records what the keychain really holds (an entry gone or changed outside the app). Memory
   * follows the keychain even when keys.json cannot be written: the file is only a hint of
   * which keys to look for, and this is no change the user asked for.
   */
  private reconcile(name: string, meta: KeyMetadata): Promise<void> {
    return this.exclusive(async () => {
      const next = new Map(this.meta).set(name, meta);
      await writeKeyMetadata(this.options.userDataDir, next).catch(() => undefined);
      this.meta = next;
    });
  }

  private emit(type: SecretEventType, name: string): void {
    this.emitWith(type, name, this.fingerprintOf(name));
  }
}

function checkName(name: string): void {
  if (!KEY_NAME_PATTERN.test(name)) {
    throw new Error(
      `"${name.slice(0, 40)}" is not a valid key name: use capitals, digits and _ (e.g. ANTHROPIC_API_KEY).`,
    );
  }
}
