import type { ReactNode } from 'react';
import type { AuditEntry } from '../../../src-shared/model/audit';
import { localTime, shortHash } from './format';
import { useServiceLabel } from './audit-names';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

const orDash = (v: string | number | null) => (v === null || v === '' ? '—' : String(v));

/** "Agent runner (agent-runner)": the name people read, and the id the stack file uses. */
function ServiceName({ id }: { id: string | null }) {
  const label = useServiceLabel(id);
  if (id === null) return <>—</>;
  return <>{label === id ? id : `${label} (${id})`}</>;
}

/** The selected entry's every field; hashes shortened, with the full value as a title. */
export function AuditDetails({ entry }: { entry: AuditEntry | null }) {
  return (
    // A scroll region (max-height) must take focus so keyboard users can scroll it (axe
    // scrollable-region-focusable); the heading names it for screen readers.
    <section className="audit-details" aria-labelledby="audit-details-title" tabIndex={0}>
      <h2 id="audit-details-title">Entry details</h2>
      {entry === null ? (
        <p className="hint">Select an entry to see all of its fields.</p>
      ) : (
        <dl data-field="audit-details" data-seq={entry.seq}>
          <Field label="Seq">#{entry.seq}</Field>
          <Field label="Time">
            <span title={entry.time}>{localTime(entry.time)}</span>
            <div className="mono small">{entry.time}</div>
          </Field>
          <Field label="Type">{entry.type}</Field>
          <Field label="Outcome">
            <span className={`audit-outcome outcome-${entry.outcome}`}>{entry.outcome}</span>
          </Field>
          <Field label="Actor">{entry.actor}</Field>
          <Field label="Service">
            <ServiceName id={entry.service} />
          </Field>
          <Field label="PID">{orDash(entry.pid)}</Field>
          <Field label="Key">{orDash(entry.key)}</Field>
          <Field label="Fingerprint">
            <span className="mono">{orDash(entry.fingerprint)}</span>
          </Field>
          <Field label="Detail">{orDash(entry.detail)}</Field>
          <Field label="Prev">
            <span className="mono" title={entry.prev}>
              {shortHash(entry.prev)}
            </span>
          </Field>
          <Field label="Hash">
            <span className="mono" title={entry.hash}>
              {shortHash(entry.hash)}
            </span>
          </Field>
        </dl>
      )}
    </section>
  );
}
