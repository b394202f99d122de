import { useSecrets } from '../../stores/secrets';

const OUTCOME = { ok: 'rotated', warn: 'rolled-back', info: 'saved' } as const;

/** The outcome of the last key rotation (rotated, or rolled back and why), or a note on a save. */
export function RotationNotice() {
  const notice = useSecrets((s) => s.notice);
  const dismiss = useSecrets((s) => s.dismissNotice);
  if (!notice) return null;
  return (
    <div
      className={`banner ${notice.kind === 'warn' ? 'warn' : 'ok'} rotation-notice`}
      role={notice.kind === 'warn' ? 'alert' : 'status'}
      data-field="rotation-notice"
      data-outcome={OUTCOME[notice.kind]}
    >
      <p>{notice.text}</p>
      <button type="button" className="link" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
