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

/** The kinds of structured event the secret store emits for the audit trail. */
export type SecretEventType =
  | 'key.entered'
  | 'key.stored'
  | 'key.released'
  | 'key.unlock-granted'
  | 'key.unlock-denied'
  | 'key.evicted'
  | 'key.locked'
  | 'key.deleted';

/** One event of the secret store: name and fingerprint only, never a value. */
export interface SecretEvent {
  type: SecretEventType;
  name: string;
  fingerprint: string | null;
}
