export {
  createFingerprinter,
  fingerprintWith,
  loadInstallKey,
  INSTALL_KEY_FILE,
} from './fingerprint';
export type { Fingerprinter } from './fingerprint';
export {
  KEY_CATALOG,
  KEY_NAME_PATTERN,
  checkKeyValue,
  cleanKeyValue,
  keySpec,
  managedKeyProblem,
  validateKeyFormat,
  type FormatCheck,
  type KeySpec,
  type KeyValueCheck,
} from './key-catalog';
export { KEYS_FILE, type KeyMetadata } from './key-metadata';
export {
  DEFAULT_SERVICE,
  SessionOnlyStore,
  backendFor,
  openKeychain,
  type KeychainBackend,
  type KeychainStore,
  type OpenKeychainOptions,
} from './keychain';
export {
  SecretStore,
  type KeyTrial,
  type SecretChange,
  type SecretStoreOptions,
  type SetOptions,
} from './secret-store';
export type { SecretEvent, SecretEventType, SecretInfo, SecretSource } from './types';
export { AlwaysGrant, ScriptedGate, type UnlockGate } from './unlock-gate';
export { DEFAULT_IDLE_MS, Vault, type VaultInfo, type VaultOptions } from './vault';
