/** Public API of the audit trail: hash-chained JSON Lines journal, verify, export. */
export { AuditJournal, DEFAULT_AUDIT_MAX_FILE_BYTES, JournalWriteError } from './journal';
export type { AuditAppendListener, AuditJournalOptions } from './journal';
export { verifyJournal } from './verify';
export type { VerifyOptions } from './verify';
export { describeWriteFailure, gapOfEntry, gapSentence } from './gap';
export { exportJournal, filterEntries } from './export';
export type { AuditFilter } from './export';
export {
  canonicalForm,
  entryHash,
  sealEntry,
  serializeEntry,
  parseEntryLine,
  GENESIS_HASH,
  CANONICAL_FIELDS,
} from './canonical';
export type { ParsedLine, UnsealedEntry } from './canonical';
export { journalFileName, listJournalFiles, monthKey, readJournalEntries } from './journal-files';
export type { JournalFileId } from './journal-files';
export { scrubKeyShapes, REDACTED } from './scrub';
export type { TornLineReport } from './torn-line';
