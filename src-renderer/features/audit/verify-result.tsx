import { useAudit } from '../../stores/audit';
import { verifyMessage } from './format';

/**
 * The outcome of "Verify integrity": progress, OK (status, with any recorded gaps), or the
 * first bad entry or the entries that cannot be written now (alert).
 */
export function VerifyResultLine() {
  const verifying = useAudit((s) => s.verifying);
  const result = useAudit((s) => s.verify);
  const error = useAudit((s) => s.verifyError);
  if (verifying) {
    return (
      <p className="hint" role="status" data-field="verify-progress">
        <span className="dot spin" aria-hidden="true" /> Verifying the journal…
      </p>
    );
  }
  if (error) {
    return (
      <p className="error-text" role="alert" data-field="verify-result" data-ok="false">
        {error}
      </p>
    );
  }
  if (!result) return null;
  // Intact but with recorded gaps (entries lost while the disk was full): say so, not in green.
  const gaps = result.gaps?.length ?? 0;
  return result.ok ? (
    <p
      className={gaps > 0 ? 'audit-verify gaps' : 'audit-verify ok'}
      role="status"
      data-field="verify-result"
      data-ok="true"
      data-gaps={gaps}
    >
      {verifyMessage(result)}
    </p>
  ) : (
    <p
      className="audit-verify damaged"
      role="alert"
      data-field="verify-result"
      data-ok="false"
      data-gaps={gaps}
    >
      {verifyMessage(result)}
    </p>
  );
}
