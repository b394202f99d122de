import type { AuditEntry } from '../../../src-shared/model/audit';

/** One journal line: the entry's own fields only, in the journal's field order. */
export function entryLine(e: AuditEntry): string {
  return JSON.stringify({
    seq: e.seq,
    time: e.time,
    type: e.type,
    actor: e.actor,
    service: e.service,
    pid: e.pid,
    key: e.key,
    fingerprint: e.fingerprint,
    outcome: e.outcome,
    detail: e.detail,
    prev: e.prev,
    hash: e.hash,
  });
}

/** JSON Lines for `entries` in the order given; ends with "\n" unless empty. */
export function formatEntries(entries: readonly AuditEntry[]): string {
  return entries.length === 0 ? '' : entries.map(entryLine).join('\n') + '\n';
}

/** `audit-<timestamp>.jsonl`, the timestamp file-name safe (no colons). */
export function auditFileName(now = new Date()): string {
  return `audit-${now.toISOString().replace(/[:.]/g, '-')}.jsonl`;
}

/** Offers `entries` as a JSON Lines download (a Blob URL on a temporary link). */
export function downloadEntries(entries: readonly AuditEntry[]): void {
  const blob = new Blob([formatEntries(entries)], { type: 'application/x-ndjson' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = auditFileName();
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
