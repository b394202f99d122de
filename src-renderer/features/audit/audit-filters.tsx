import { AUDIT_TYPES, type AuditType } from '../../../src-shared/model/audit';
import type { AuditFilter } from '../../stores/audit-filter';
import type { FilterOption } from './audit-names';

const DOMAINS = [...new Set(AUDIT_TYPES.map((t) => t.split('.')[0]!))];

interface AuditFiltersProps {
  filter: AuditFilter;
  /** The known services and keys, by the names people read (the ids are the values). */
  services: readonly FilterOption[];
  keys: readonly FilterOption[];
  onChange(change: Partial<AuditFilter>): void;
}

/** Type, service, key and time-range filters; every change re-queries `audit:list`. */
export function AuditFilters({ filter, services, keys, onChange }: AuditFiltersProps) {
  return (
    <div className="audit-filters" role="group" aria-label="Audit filters">
      <select
        aria-label="Filter by type"
        value={filter.type}
        onChange={(e) => onChange({ type: e.target.value as AuditType | '' })}
      >
        <option value="">All types</option>
        {DOMAINS.map((domain) => (
          <optgroup key={domain} label={domain}>
            {AUDIT_TYPES.filter((t) => t.startsWith(`${domain}.`)).map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      {/* Dropdowns of what exists: a typed id that matches nothing ("agent") found nothing. */}
      <select
        aria-label="Filter by service"
        value={filter.service}
        onChange={(e) => onChange({ service: e.target.value })}
      >
        <option value="">All services</option>
        {services.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <select
        aria-label="Filter by key"
        value={filter.key}
        onChange={(e) => onChange({ key: e.target.value })}
      >
        <option value="">All keys</option>
        {keys.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <label className="audit-filter">
        <span className="hint">From</span>
        <input
          type="datetime-local"
          aria-label="From"
          step={1}
          value={filter.from}
          onChange={(e) => onChange({ from: e.target.value })}
        />
      </label>
      <label className="audit-filter">
        <span className="hint">To</span>
        <input
          type="datetime-local"
          aria-label="To"
          step={1}
          value={filter.to}
          onChange={(e) => onChange({ to: e.target.value })}
        />
      </label>
    </div>
  );
}
