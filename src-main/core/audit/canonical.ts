import { createHash } from 'node:crypto';
import type { AuditEntry } from '../../../src-shared/model/audit';

/** The `prev` of the very first entry: 64 hex zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** Field order of the canonical form and of every line on disk (`hash` comes last on disk). */
export const CANONICAL_FIELDS = [
  'seq',
  'time',
  'type',
  'actor',
  'service',
  'pid',
  'key',
  'fingerprint',
  'outcome',
  'detail',
  'prev',
] as const;

/** An entry before it is sealed with its hash. */
export type UnsealedEntry = Omit<AuditEntry, 'hash'>;

/**
 * Canonical form: JSON of the entry without `hash`, keys in CANONICAL_FIELDS order, no
 * whitespace. Built from values, not from the line's bytes, so verify re-derives it from a
 * parsed line and any change of a value (not of harmless JSON escaping) changes the hash.
 */
export function canonicalForm(entry: UnsealedEntry): string {
  const ordered: Record<string, unknown> = {};
  for (const field of CANONICAL_FIELDS) ordered[field] = entry[field];
  return JSON.stringify(ordered);
}

/** hash = hex sha256(prevHash + canonical form). */
export function entryHash(entry: UnsealedEntry): string {
  return createHash('sha256')
    .update(entry.prev + canonicalForm(entry), 'utf8')
    .digest('hex');
}

/** Seal an entry: compute and attach its hash. */
export function sealEntry(entry: UnsealedEntry): AuditEntry {
  const sealed: AuditEntry = { ...entry, hash: entryHash(entry) };
  return sealed;
}

/** One journal line without its newline: the canonical fields in order, then `hash`. */
export function serializeEntry(entry: AuditEntry): string {
  const canonical = canonicalForm(entry);
  return `${canonical.slice(0, -1)},"hash":${JSON.stringify(entry.hash)}}`;
}

/** A parsed line, or why it is not an entry. */
export type ParsedLine = { ok: true; entry: AuditEntry } | { ok: false; reason: string };

const HEX64 = /^[0-9a-f]{64}$/;

function isStringOrNull(v: unknown): boolean {
  return v === null || typeof v === 'string';
}

/**
 * Parse one line into an entry and check its shape (not its hash). Unknown `type` strings are
 * accepted so an older build can still verify a newer journal; extra fields are not, because
 * they would sit outside the canonical form and so outside the chain.
 */
export function parseEntryLine(text: string): ParsedLine {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'line is not valid JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'line is not a JSON object' };
  }
  const o = raw as Record<string, unknown>;
  const allowed = new Set<string>([...CANONICAL_FIELDS, 'hash']);
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) return { ok: false, reason: `unexpected field "${k}"` };
  }
  const problems: string[] = [];
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 1) problems.push('seq');
  if (typeof o.time !== 'string' || Number.isNaN(Date.parse(o.time))) problems.push('time');
  if (typeof o.type !== 'string') problems.push('type');
  if (typeof o.actor !== 'string') problems.push('actor');
  if (!isStringOrNull(o.service)) problems.push('service');
  if (o.pid !== null && !Number.isSafeInteger(o.pid)) problems.push('pid');
  if (!isStringOrNull(o.key)) problems.push('key');
  if (!isStringOrNull(o.fingerprint)) problems.push('fingerprint');
  if (typeof o.outcome !== 'string') problems.push('outcome');
  if (typeof o.detail !== 'string') problems.push('detail');
  if (typeof o.prev !== 'string' || !HEX64.test(o.prev)) problems.push('prev');
  if (typeof o.hash !== 'string' || !HEX64.test(o.hash)) problems.push('hash');
  if (problems.length > 0) {
    return { ok: false, reason: `missing or malformed field(s): ${problems.join(', ')}` };
  }
  return { ok: true, entry: o as unknown as AuditEntry };
}
