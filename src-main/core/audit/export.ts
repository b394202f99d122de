import type { AuditEntry, AuditType } from '../../../src-shared/model/audit';
import { serializeEntry } from './canonical';

/** Which entries to keep; every given criterion must match; times are inclusive ISO bounds. */
export interface AuditFilter {
  types?: readonly AuditType[];
  service?: string;
  key?: string;
  from?: string;
  to?: string;
}

function bound(iso: string | undefined, name: string): number | null {
  if (iso === undefined) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError(`Audit filter "${name}" is not a date: ${iso}`);
  return t;
}

/** The entries matching `filter`, in their original order. */
export function filterEntries(
  entries: readonly AuditEntry[],
  filter: AuditFilter = {},
): AuditEntry[] {
  const types = filter.types && filter.types.length > 0 ? new Set(filter.types) : null;
  const from = bound(filter.from, 'from');
  const to = bound(filter.to, 'to');
  return entries.filter((e) => {
    if (types && !types.has(e.type)) return false;
    if (filter.service !== undefined && e.service !== filter.service) return false;
    if (filter.key !== undefined && e.key !== filter.key) return false;
    if (from !== null || to !== null) {
      const t = Date.parse(e.time);
      if (from !== null && t < from) return false;
      if (to !== null && t > to) return false;
    }
    return true;
  });
}

/**
 * JSON Lines of the matching entries, each exactly as stored (hash included, so every entry
 * still proves its own content; a filtered export's links to left-out entries are gone).
 * Empty string when nothing matches.
 */
export function exportJournal(entries: readonly AuditEntry[], filter: AuditFilter = {}): string {
  return filterEntries(entries, filter)
    .map((e) => `${serializeEntry(e)}\n`)
    .join('');
}
