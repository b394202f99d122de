import { useEffect, useMemo, useState } from 'react';
import { useAudit } from '../../stores/audit';
import { AuditFilters } from './audit-filters';
import { AuditTable } from './audit-table';
import { AuditDetails } from './audit-details';
import { VerifyResultLine } from './verify-result';
import { downloadEntries } from './export';
import { ENTRIES } from './format';
import { formatNumber, plural } from '../../lib/intl';
import { filterOptions, keyLabel, KNOWN_KEYS, useServiceLabels } from './audit-names';
import './audit.css';

/** The Audit view: filters, the journal as a dense table, the details panel, verify and export. */
export function AuditView() {
  const entries = useAudit((s) => s.entries);
  const total = useAudit((s) => s.total);
  const filter = useAudit((s) => s.filter);
  const loading = useAudit((s) => s.loading);
  const error = useAudit((s) => s.error);
  const selected = useAudit((s) => s.selected);
  const verifying = useAudit((s) => s.verifying);
  const [status, setStatus] = useState<string | null>(null);

  useEffect(() => useAudit.getState().ensureLoaded(), []);

  const stack = useServiceLabels();
  const services = filterOptions(
    stack.names,
    entries.map((e) => e.service),
    filter.service,
    stack.label,
  );
  const keys = useMemo(
    () =>
      filterOptions(
        KNOWN_KEYS,
        entries.map((e) => e.key),
        filter.key,
        keyLabel,
      ),
    [entries, filter.key],
  );
  const { setFilter, select, runVerify } = useAudit.getState();

  const exportEntries = () => {
    downloadEntries(entries);
    setStatus(`Exported ${plural(entries.length, ENTRIES)}`);
  };

  return (
    <section className="audit-view" aria-labelledby="audit-title">
      <header className="view-header">
        <h1 id="audit-title">Audit</h1>
        <span className="hint" data-field="audit-count">
          {loading
            ? 'Loading…'
            : entries.length < total
              ? `Showing the newest ${formatNumber(entries.length)} of ${plural(total, ENTRIES)}`
              : plural(entries.length, ENTRIES)}
        </span>
      </header>
      <div className="audit-toolbar">
        <AuditFilters filter={filter} services={services} keys={keys} onChange={setFilter} />
        <div className="actions">
          <button
            type="button"
            onClick={() => void runVerify()}
            disabled={verifying}
            aria-busy={verifying || undefined}
          >
            Verify integrity
          </button>
          <button type="button" onClick={exportEntries} disabled={entries.length === 0}>
            Export…
          </button>
        </div>
      </div>
      <div className="audit-status">
        <VerifyResultLine />
        {error && (
          <p className="error-text" role="alert" data-field="audit-error">
            {error}
          </p>
        )}
        {status && (
          <p role="status" className="hint" data-field="audit-status">
            {status}
          </p>
        )}
      </div>
      <div className="audit-body">
        <AuditTable entries={entries} selected={selected} onSelect={select} />
        <AuditDetails entry={selected} />
      </div>
    </section>
  );
}
