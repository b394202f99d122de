/** Who caused an audited event: the window, the tray menu, the app itself, or the command line. */
export type AuditActor = 'window' | 'tray' | 'system' | 'cli';

/** Every actor, for runtime checks and filters. */
export const AUDIT_ACTORS: readonly AuditActor[] = ['window', 'tray', 'system', 'cli'];

/** How an audited action ended; `info` for plain facts (a service became ready). */
export type AuditOutcome = 'ok' | 'denied' | 'failed' | 'info';

/** Every outcome, for runtime checks and filters. */
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['ok', 'denied', 'failed', 'info'];

/** Every kind of audited event, grouped by domain (app, stack, service, key, journal). */
export const AUDIT_TYPES = [
  'app.started',
  'app.quit',
  'stack.start-requested',
  'stack.stop-requested',
  'service.start-requested',
  'service.stop-requested',
  'service.restart-requested',
  'service.starting',
  'service.ready',
  'service.stopped',
  'service.crashed',
  'service.restarting',
  'service.crash-loop',
  'service.failed',
  'service.needs-key',
  'service.held',
  'service.waiting',
  'service.signal',
  'key.entered',
  'key.stored',
  'key.released',
  'key.unlock-granted',
  'key.unlock-denied',
  'key.delivered',
  'key.evicted',
  'key.locked',
  'key.rotated',
  'key.rolled-back',
  'key.deleted',
  'key.redacted',
  'key.imported',
  'journal.torn-line',
  'journal.gap',
] as const;

/** One kind of audited event. */
export type AuditType = (typeof AUDIT_TYPES)[number];

/** One line of the audit journal: names and fingerprints only, never a key value. */
export interface AuditEntry {
  /** 1 for the first entry ever; +1 per entry, across files. */
  seq: number;
  /** ISO 8601, UTC. */
  time: string;
  type: AuditType;
  actor: AuditActor;
  service: string | null;
  pid: number | null;
  /** The key's NAME (e.g. ANTHROPIC_API_KEY), never its value. */
  key: string | null;
  /** Short HMAC fingerprint of the value; for key.rotated, "old->new". */
  fingerprint: string | null;
  outcome: AuditOutcome;
  /** Short human-readable detail; anything shaped like a key is stored as [redacted]. */
  detail: string;
  /** Hex SHA-256 of the previous entry (64 zeros for the first). */
  prev: string;
  /** Hex SHA-256 of prev + this entry's canonical form (see core/audit/canonical.ts). */
  hash: string;
}

/** What a caller gives to record an event; the journal fills in seq, time, prev and hash. */
export interface AuditInput {
  type: AuditType;
  actor: AuditActor;
  service?: string | null;
  pid?: number | null;
  key?: string | null;
  fingerprint?: string | null;
  /** Defaults to 'info'. */
  outcome?: AuditOutcome;
  /** Defaults to ''. */
  detail?: string;
}

/** A run of events that could not be written to the journal (disk full, read-only file...). */
export interface AuditGap {
  /** How many entries were lost. */
  count: number;
  /** ISO 8601 times of the first and the last lost entry. */
  firstAt: string;
  lastAt: string;
  /** Why, e.g. "ENOSPC: the disk is full". */
  reason: string;
  /** Seq of the journal.gap entry that records it; null while the journal still cannot be written. */
  recordedSeq: number | null;
}

/**
 * Outcome of re-computing the chain: OK with the entry count, or the first bad entry and why.
 * `gaps` (present only when there are any) lists the runs of entries that could not be written;
 * an unrecorded one (the journal is failing right now) makes the result not OK, with `gap` set.
 */
export type VerifyResult =
  | { ok: true; entries: number; gaps?: AuditGap[] }
  | {
      ok: false;
      /** True when the chain is intact but entries are missing because they could not be written. */
      gap?: boolean;
      gaps?: AuditGap[];
      /** Seq of the bad entry as written, or null when the line could not be read. */
      seq: number | null;
      /** 1-based line number within `file`. */
      line: number;
      /** File name (no directory), e.g. audit-2026-11.jsonl.1. */
      file: string;
      reason: string;
    };
