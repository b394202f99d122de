/** Importing provider keys left in plain text (Stigmer CLI config, .env) into the keychain. */
export { KeyImporter, MAX_SCAN_BYTES, OFFERED_FILE } from './key-importer';
export type { KeyImporterDeps } from './key-importer';
export { keyImportHandlers } from './handlers';
export { scanDotenv } from './dotenv';
export { scanStigmerConfig, STIGMER_CONFIG_PATH } from './stigmer-config';
export { withoutLines } from './file-edit';
