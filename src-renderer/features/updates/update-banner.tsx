import { useEffect, useId } from 'react';
import { WhyDisabled, disabledBecause } from '../../components/why-disabled';
import { ExternalLink } from '../about/links';
import { useUpdates } from './updates-store';
import { bannerShown, progressWords } from './update-words';
import './updates.css';

/** Release notes as text: the feed's HTML was reduced to text in main; React escapes the rest. */
export function ReleaseNotes({ notes }: { notes: string | null }) {
  if (!notes) return null;
  return (
    <details className="release-notes">
      <summary>What’s new</summary>
      <pre data-field="release-notes">{notes}</pre>
    </details>
  );
}

/** The rollback notice: the last update did not get this version to a ready window. */
function RollbackNotice() {
  const rollback = useUpdates((s) => s.status?.rollback ?? null);
  const closed = useUpdates((s) => s.rollbackClosed);
  if (!rollback || closed) return null;
  return (
    <div className="banner warn update-banner" role="status" data-field="update-rollback">
      <p>{rollback.message}</p>
      <div className="actions">
        <ExternalLink href={rollback.downloadUrl}>
          Download Stigmer Local {rollback.previousVersion}
        </ExternalLink>
        <button type="button" onClick={() => useUpdates.getState().closeRollback()}>
          Close
        </button>
      </div>
    </div>
  );
}

/**
 * Over every view: the update downloading (with progress), ready ("Restart now" / "Later",
 * disabled with the reason while a key rotation or a start is in flight), installing, or a
 * download refused; and once after a failed update, where to get the previous version.
 */
export function UpdateBanner() {
  const init = useUpdates((s) => s.init);
  useEffect(() => init(), [init]);
  const status = useUpdates((s) => s.status);
  const laterFor = useUpdates((s) => s.laterFor);
  const busy = useUpdates((s) => s.busy);
  const actionError = useUpdates((s) => s.actionError);
  const id = useId();
  const shown = bannerShown(status, laterFor);
  if (!status || !shown) return <RollbackNotice />;
  const name = `Stigmer Local ${status.version ?? ''}`;
  const why = status.deferredBecause
    ? `The update waits: ${status.deferredBecause} It can restart as soon as that ends.`
    : busy === 'install'
      ? 'Restarting…'
      : null;
  return (
    <>
      <RollbackNotice />
      <div
        className={`banner ${status.phase === 'error' ? 'error' : 'info'} update-banner`}
        role="status"
        data-field="update-banner"
        data-phase={status.phase}
      >
        {status.phase === 'downloading' && (
          <div className="update-progress">
            <p>
              Downloading {name}… {progressWords(status.progress)}
            </p>
            <progress
              max={100}
              value={status.progress?.percent ?? 0}
              aria-label={`Download of ${name}`}
            />
          </div>
        )}
        {status.phase === 'ready' && (
          <>
            <p>
              <strong>{name} is ready</strong> — it installs when you quit, or restart now. The
              stack is stopped first and started again after the restart.
            </p>
            <div className="actions">
              <button
                type="button"
                className="primary"
                {...disabledBecause(`${id}-why`, why)}
                onClick={() => void useUpdates.getState().install()}
              >
                Restart now
              </button>
              <button type="button" onClick={() => useUpdates.getState().later()}>
                Later
              </button>
              <WhyDisabled id={`${id}-why`} reason={why} />
            </div>
            {status.deferredBecause && <p className="hint">{why}</p>}
          </>
        )}
        {status.phase === 'installing' && <p>Stopping the stack and installing {name}…</p>}
        {status.phase === 'error' && <p>{status.error}</p>}
        {actionError && (
          <p className="error-text" role="alert">
            {actionError}
          </p>
        )}
        {status.phase !== 'error' && <ReleaseNotes notes={status.releaseNotes} />}
      </div>
    </>
  );
}
