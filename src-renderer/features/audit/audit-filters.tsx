import { useEffect, useRef, useState } from 'react';
import { AUDIT_TYPES, type AuditType } from '../../../src-shared/model/audit';
import { KEY_PATTERN, SERVICE_PATTERN, type AuditFilter } from '../../stores/audit-filter';

/** Typing pauses this long before a text filter re-queries main. */
const DEBOUNCE_MS = 250;
const DOMAINS = [...new Set(AUDIT_TYPES.map((t) => t.split('.')[0]!))];

interface TextFilterProps {
  label: string;
  placeholder: string;
  pattern: RegExp;
  invalidHint: string;
  value: string;
  suggestions: readonly string[];
  normalize(v: string): string;
  apply(v: string): void;
}

/** A text filter applied after a pause in typing, and only once it is a valid name. */
function TextFilter(props: TextFilterProps) {
  const { value, pattern } = props;
  const [draft, setDraft] = useState(value);
  // A ref, so that re-renders (live entries) do not restart the pause.
  const apply = useRef(props.apply);
  apply.current = props.apply;
  const trimmed = draft.trim();
  const invalid = trimmed !== '' && !pattern.test(trimmed);
  useEffect(() => {
    if (invalid || trimmed === value) return;
    const timer = setTimeout(() => apply.current(trimmed), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [trimmed, invalid, value]);
  const listId = `audit-${props.label.replace(/\W+/g, '-').toLowerCase()}-options`;
  return (
    <label className="audit-filter">
      <input
        type="text"
        aria-label={props.label}
        placeholder={props.placeholder}
        value={draft}
        list={listId}
        spellCheck={false}
        aria-invalid={invalid || undefined}
        title={invalid ? props.invalidHint : undefined}
        onChange={(e) => setDraft(props.normalize(e.target.value))}
      />
      <datalist id={listId}>
        {props.suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      {invalid && <span className="error-text small">{props.invalidHint}</span>}
    </label>
  );
}

interface AuditFiltersProps {
  filter: AuditFilter;
  services: readonly string[];
  keys: readonly string[];
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
      <TextFilter
        label="Filter by service"
        placeholder="Service"
        pattern={SERVICE_PATTERN}
        invalidHint="A service name is lower-case letters, digits and dashes."
        value={filter.service}
        suggestions={services}
        normalize={(v) => v.toLowerCase()}
        apply={(service) => onChange({ service })}
      />
      <TextFilter
        label="Filter by key"
        placeholder="Key name"
        pattern={KEY_PATTERN}
        invalidHint="A key name is upper-case letters, digits and underscores."
        value={filter.key}
        suggestions={keys}
        normalize={(v) => v.toUpperCase()}
        apply={(key) => onChange({ key })}
      />
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
