export type { SecretInfo, SecretSource } from '../../../src-shared/model/secret';

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
