import type { AuditEntry, AuditType } from '../../src-shared/model/audit';
import type { InvokeArgs } from '../../src-shared/ipc/contract';

/** The filters the Audit view applies; an empty string means "any". */
export interface AuditFilter {
  type: AuditType | '';
  service: string;
  key: string;
  /** Inclusive bounds as the `datetime-local` inputs hold them (local time); '' for open. */
  from: string;
  to: string;
}

/** No filter: every entry. */
export const EMPTY_FILTER: AuditFilter = { type: '', service: '', key: '', from: '', to: '' };

/** Same patterns as the contract's schemas, so the view can flag a value before main rejects it. */
export const SERVICE_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Key names as the contract accepts them. */
export const KEY_PATTERN = /^[A-Z][A-Z0-9_]{0,127}$/;

/** The `audit:list` arguments for a filter and a limit. */
export function listArgs(filter: AuditFilter, limit: number): InvokeArgs<'audit:list'> {
  const from = localInputToIso(filter.from, false);
  const to = localInputToIso(filter.to, true);
  return {
    limit,
    ...(filter.type ? { types: [filter.type] } : {}),
    ...(filter.service ? { service: filter.service } : {}),
    ...(filter.key ? { key: filter.key } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

/** True when a live entry passes the filter (mirrors main's query, for `audit:appended`). */
export function matchesFilter(entry: AuditEntry, filter: AuditFilter): boolean {
  if (filter.type && entry.type !== filter.type) return false;
  if (filter.service && entry.service !== filter.service) return false;
  if (filter.key && entry.key !== filter.key) return false;
  const time = Date.parse(entry.time);
  const from = localInputToIso(filter.from, false);
  const to = localInputToIso(filter.to, true);
  if (from && time < Date.parse(from)) return false;
  if (to && time > Date.parse(to)) return false;
  return true;
}

/**
 * A `datetime-local` value as an inclusive ISO bound: '' stays open; an end bound covers the
 * whole minute (or second) the input shows, since the input cannot say milliseconds.
 */
export function localInputToIso(value: string, end: boolean): string {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  if (end) d.setTime(d.getTime() + (value.length <= 16 ? 59_999 : 999));
  return d.toISOString();
}
