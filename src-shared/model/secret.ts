/** Where a key's value in the vault came from. */
export type SecretSource = 'session' | 'keychain' | 'environment';

/** What the renderer may know about a key: never its value. */
export interface SecretInfo {
  name: string;
  /** True when a service cannot start without this key. */
  required: boolean;
  /** True when a value is in memory now or remembered in the keychain. */
  set: boolean;
  /** True when the value is in the vault now (not only in the keychain). */
  loaded: boolean;
  source: SecretSource | null;
  fingerprint: string | null;
  /** Epoch ms of the last time a value was entered or rotated. */
  updatedAt: number | null;
  remembered: boolean;
  requireTouchId: boolean;
}

/** Everything the window shows about keys: metadata, the keychain in use, what is needed. */
export interface SecretsSnapshot {
  keys: SecretInfo[];
  keychain: {
    /** 'macOS Keychain' | 'Secret Service' | 'Windows Credential Manager' | 'none'. */
    backend: string;
    available: boolean;
    /** Plain-language reason when there is no usable keychain. */
    reason: string | null;
  };
  /** True on macOS with Touch ID hardware (the "Require Touch ID" choice is offered). */
  touchIdAvailable: boolean;
  /** Required keys a service is waiting for ("needs key"), in the order to ask for them. */
  needed: string[];
  /** The services that receive each key (shown in the dialog: "only passed to …"). */
  consumers: Record<string, string[]>;
  /**
   * Running processes that still hold a key value the user deleted, locked or replaced (they
   * keep it in their environment until restarted). Absent from hosts that do not track it.
   */
  staleConsumers?: StaleConsumer[];
}

/** A running service whose environment holds a key value that is no longer the current one. */
export interface StaleConsumer {
  service: string;
  pid: number;
  key: string;
  /** What happened to the value it holds: deleted, locked (forgotten from memory), or replaced. */
  reason: 'deleted' | 'locked' | 'replaced';
}

/** What secrets:set answers: the keys as they are now, and a note for the user if any. */
export interface SecretSetResult extends SecretsSnapshot {
  /** E.g. "Removed a trailing newline from the pasted key." or a keychain fallback. */
  notice?: string;
}

/**
 * A request from outside the window (the tray's "Rotate…") to open the key dialog: for a new
 * value when the key is set, else for a first one. Taken once by the window.
 */
export interface KeyDialogRequest {
  name: string;
  mode: 'enter' | 'rotate';
}

/** What a rotation did: stored the new key, or put the previous one back (and why). */
export interface RotationResult {
  outcome: 'rotated' | 'rolled-back';
  /** The services that were restarted for it. */
  services: string[];
  /** Advice for the user: what happened, why, and the state now. */
  message: string;
  keys: SecretsSnapshot;
  /** Something about the value the user should know (e.g. whitespace that was trimmed). */
  notice?: string;
}
