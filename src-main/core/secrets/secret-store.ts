import { createFingerprinter, type Fingerprinter } from './fingerprint';
import { KEY_CATALOG, KEY_NAME_PATTERN, keySpec } from './key-catalog';
import { readKeyMetadata, writeKeyMetadata, type KeyMetadata } from './key-metadata';
import type { KeychainStore } from './keychain';
import type { SecretEvent, SecretEventType, SecretInfo, SecretSource } from './types';
import type { UnlockGate } from './unlock-gate';
import { Vault, type VaultInfo } from './vault';

/** A new value on trial in the vault (see `SecretStore.trial`). */
export interface KeyTrial {
  commit(options: SetOptions): Promise<SecretChange>;
  rollback(): void;
}

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
export class SecretStore {
  private readonly changeListeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: SecretEvent) => void>();
  private readonly pending = new Map<string, Promise<'ok' | 'missing' | 'denied'>>();
  private writing: Promise<void> = Promise.resolve();
  /** Previous values of keys under rotation (zeroed when the rotation ends). */
  private readonly previousValues = new Map<string, Buffer>();

  private constructor(
    private readonly options: SecretStoreOptions,
    private readonly vault: Vault,
    private readonly meta: Map<string, KeyMetadata>,
  ) {}

  /** Loads the install key and `keys.json`, and builds the vault. */
  static async open(options: SecretStoreOptions): Promise<SecretStore> {
    const fingerprint = options.fingerprint ?? (await createFingerprinter(options.userDataDir));
    const vault = new Vault({ fingerprint, idleMs: options.idleMs, now: options.now });
    const meta = await readKeyMetadata(options.userDataDir);
    return new SecretStore(options, vault, meta);
  }

  /** The keychain in use, for the UI to say which one (or why none). */
  get keychain(): KeychainStore {
    return this.options.keychain;
  }

  /** Takes ownership of `value` (the caller's buffer is zeroed) and optionally remembers it. */
  async set(name: string, value: Buffer, options: SetOptions = {}): Promise<SecretChange> {
    checkName(name);
    const { keychain, gate } = this.options;
    const wantRemember = options.remember === true && options.source !== 'environment';
    this.vault.set(name, value, options.source ?? 'session');
    let notice: string | null = null;
    let remembered = false;
    if (wantRemember && !keychain.available) {
      notice = `${name} is kept for this session only. ${keychain.reason ?? ''}`.trim();
    } else if (wantRemember) {
      try {
        await this.vault.withBytes(name, (bytes) => keychain.set(name, bytes));
        remembered = true;
      } catch (error) {
        notice = `${name} is kept for this session only: the ${keychain.backend} refused it (${errorText(error)}).`;
      }
    } else if (this.meta.get(name)?.remembered) {
      // The user unticked "remember": the old value must not stay behind in the keychain.
      await keychain.delete(name).catch(() => false);
    }
    if (remembered) this.vault.setSource(name, 'keychain');
    const info = this.vault.info(name);
    this.meta.set(name, {
      remembered,
      requireTouchId: remembered && options.requireTouchId === true && gate.kind === 'touch-id',
      fingerprint: info.fingerprint,
      updatedAt: info.updatedAt,
    });
    await this.saveMeta();
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
      this.meta.set(name, { ...meta, remembered: false, requireTouchId: false });
      await this.saveMeta();
      this.changed();
      return 'missing';
    }
    const info = this.vault.set(name, value, 'keychain');
    if (info.fingerprint !== meta.fingerprint) {
      // Changed outside the app (e.g. in Keychain Access): show what is really held.
      this.meta.set(name, { ...meta, fingerprint: info.fingerprint });
      await this.saveMeta();
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
    const previous = this.vault.has(name)
      ? {
          bytes: this.vault.withBytes(name, (b) => Buffer.from(b))!,
          source: this.vault.info(name).source ?? 'session',
        }
      : null;
    if (previous) this.previousValues.set(name, previous.bytes);
    this.vault.set(name, value, 'session');
    this.changed();
    const done = () => this.previousValues.delete(name);
    return {
      commit: async (options) => {
        const next = this.vault.withBytes(name, (b) => Buffer.from(b));
        done();
        previous?.bytes.fill(0);
        if (!next) throw new Error(`${name} was removed during the rotation.`);
        return this.set(name, next, options);
      },
      rollback: () => {
        done();
        if (previous) this.vault.set(name, previous.bytes, previous.source);
        else this.vault.delete(name);
        this.changed();
      },
    };
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

  /** Forgets a key everywhere: vault, keychain and metadata. */
  async delete(name: string): Promise<SecretChange> {
    const fingerprint = this.fingerprintOf(name);
    this.vault.delete(name);
    let notice: string | null = null;
    if (this.options.keychain.available) {
      try {
        await this.options.keychain.delete(name);
      } catch (error) {
        notice = `${name} could not be removed from the ${this.options.keychain.backend} (${errorText(error)}). Remove it there by hand.`;
      }
    }
    this.meta.delete(name);
    await this.saveMeta();
    this.emitWith('key.deleted', name, fingerprint);
    this.changed();
    return { info: this.info(name), notice };
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

  /** Subscribes to "something about the keys changed"; returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Subscribes to structured events for the audit trail; returns an unsubscribe. */
  onEvent(listener: (event: SecretEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
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

  private saveMeta(): Promise<void> {
    const snapshot = new Map(this.meta);
    this.writing = this.writing
      .catch(() => undefined)
      .then(() => writeKeyMetadata(this.options.userDataDir, snapshot));
    return this.writing;
  }

  private emit(type: SecretEventType, name: string): void {
    this.emitWith(type, name, this.fingerprintOf(name));
  }

  private emitWith(type: SecretEventType, name: string, fingerprint: string | null): void {
    for (const listener of this.eventListeners) listener({ type, name, fingerprint });
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }
}

function checkName(name: string): void {
  if (!KEY_NAME_PATTERN.test(name)) {
    throw new Error(
      `"${name.slice(0, 40)}" is not a valid key name: use capitals, digits and _ (e.g. ANTHROPIC_API_KEY).`,
    );
  }
}

/** First line of an error's message; keyring errors never contain the value. */
function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
