import { useAudit } from '../../stores/audit';
import { verifyMessage } from './format';

/** The outcome of "Verify integrity": progress, OK (status) or the first bad entry (alert). */
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
  return result.ok ? (
    <p className="audit-verify ok" role="status" data-field="verify-result" data-ok="true">
      {verifyMessage(result)}
    </p>
  ) : (
    <p className="audit-verify damaged" role="alert" data-field="verify-result" data-ok="false">
      {verifyMessage(result)}
    </p>
  );
}
