import { useSecrets } from '../../stores/secrets';

/** The outcome of the last key rotation: rotated, or rolled back with the reason. */
export function RotationNotice() {
  const notice = useSecrets((s) => s.notice);
  const dismiss = useSecrets((s) => s.dismissNotice);
  if (!notice) return null;
  return (
    <div
      className={`banner ${notice.kind === 'ok' ? 'ok' : 'warn'} rotation-notice`}
      role={notice.kind === 'ok' ? 'status' : 'alert'}
      data-field="rotation-notice"
      data-outcome={notice.kind === 'ok' ? 'rotated' : 'rolled-back'}
    >
      <p>{notice.text}</p>
      <button type="button" className="link" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
