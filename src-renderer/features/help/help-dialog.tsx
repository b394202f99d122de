import { useEffect, useId, useRef, useState } from 'react';
import type { AppInfo } from '../../../src-shared/ipc/contract';
import type { DiagnosticsSaved } from '../../../src-shared/model/key-import';
import { api } from '../../api/client';
import { BusyLabel } from '../../components/busy-label';
import { Modal } from '../../components/modal';
import { formatBytes } from '../../../src-shared/model/format';

/** Help: save a diagnostics bundle (what is in it, where it went) and show its folder. */
function HelpDialog({ onClose }: { onClose(): void }) {
  const id = useId();
  const save = useRef<HTMLButtonElement>(null);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<DiagnosticsSaved | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [folderNote, setFolderNote] = useState<string | null>(null);

  useEffect(() => {
    api.appInfo().then(setInfo, () => undefined);
  }, []);

  const saveBundle = async () => {
    setBusy(true);
    setError(null);
    setFolderNote(null);
    try {
      setSaved(await api.saveDiagnostics());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const showFolder = async () => {
    try {
      const folder = await api.openDiagnosticsFolder();
      if (!folder.opened)
        setFolderNote(`The file manager did not open; the folder is ${folder.path}.`);
    } catch (e) {
      setFolderNote(e instanceof Error ? e.message : String(e));
    }
  };
  // Only the desktop app can open a folder; a browser window shows the path to copy instead.
  const canShow = info?.host === 'electron';
  return (
    <Modal labelledBy={`${id}-title`} onCancel={onClose} initialFocus={save} className="help">
      <h2 id={`${id}-title`}>Help</h2>
      <h3>Diagnostics</h3>
      <p>
        A diagnostics bundle is one <code>.tar.gz</code> to attach to a support request: versions,
        the stack (key values as fingerprints, environment variables by name only), settings,
        service states, the last lines of every log (redacted) and the audit tail. Every file is
        checked for your keys before it goes in; <code>manifest.json</code> lists each file, its
        SHA-256 and what was redacted.
      </p>
      <div className="dialog-buttons help-actions">
        <BusyLabel label={busy ? 'Saving diagnostics…' : undefined} />
        <button
          ref={save}
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => void saveBundle()}
        >
          Save diagnostics…
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {saved && (
        <div className="banner info" role="status" data-testid="diagnostics-saved">
          <p>
            Saved {saved.files} files ({formatBytes(saved.bytes)}) to{' '}
            <code data-field="diagnostics-path">{saved.path}</code>
          </p>
          {canShow && (
            <button type="button" onClick={() => void showFolder()}>
              Show in folder
            </button>
          )}
          {folderNote && <p>{folderNote}</p>}
        </div>
      )}
      <div className="dialog-buttons">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}

/** The rail's Help button (next to About) and the dialog it opens. */
export function HelpButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="rail-item rail-help" onClick={() => setOpen(true)}>
        Help
      </button>
      {open && <HelpDialog onClose={() => setOpen(false)} />}
    </>
  );
}
