import { useEffect, useId, useRef, useState } from 'react';
import { api } from '../../api/client';
import { Modal } from '../../components/modal';
import { BusyLabel } from '../../components/busy-label';
import { keyMeta } from '../secrets/catalog';
import { useKeyImport } from './import-store';
import { ImportOutcomes } from './import-outcomes';
import './key-import.css';

/** The import dialog: found keys (never values), a .env path, consent to edit the files. */
function ImportDialog() {
  const id = useId();
  const { scan, busy, error, outcomes, close, rescan, pick, importKeys } = useKeyImport();
  const [envFile, setEnvFile] = useState('');
  const [canPick, setCanPick] = useState(false);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  // Off by default: removing lines changes a file other tools read (the Stigmer CLI, the
  // project's dev server); keeping a copy costs nothing until the user decides.
  const [remove, setRemove] = useState(false);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => {
    api.appInfo().then(
      (info) => setCanPick(info.canPickFiles),
      () => undefined,
    );
  }, []);
  useEffect(() => {
    // A file chosen in the native dialog shows up in the path field.
    const picked = scan?.sources.find((s) => s.kind === 'dotenv')?.file;
    if (picked) setEnvFile(picked);
  }, [scan]);
  useEffect(() => {
    setChosen(new Set(scan?.candidates.filter((c) => !c.problem).map((c) => c.id) ?? []));
  }, [scan]);

  const toggle = (candidate: string) =>
    setChosen((now) => {
      const next = new Set(now);
      if (next.has(candidate)) next.delete(candidate);
      else next.add(candidate);
      return next;
    });
  const candidates = scan?.candidates ?? [];
  return (
    <Modal labelledBy={`${id}-title`} onCancel={close} initialFocus={first} className="key-import">
      <h2 id={`${id}-title`}>Import keys from files</h2>
      <p>
        Keys the Stigmer CLI saved in <code>~/.stigmer/config.yaml</code> or a project&apos;s{' '}
        <code>.env</code> can move into the keychain. Only names, lines and fingerprints are shown.
      </p>
      <form
        className="import-env"
        onSubmit={(e) => {
          e.preventDefault();
          void rescan(envFile);
        }}
      >
        <label htmlFor={`${id}-env`}>.env file (full path)</label>
        <input
          ref={first}
          id={`${id}-env`}
          type="text"
          value={envFile}
          placeholder="/home/you/project/.env"
          spellCheck={false}
          onChange={(e) => setEnvFile(e.target.value)}
        />
        <button type="submit" disabled={busy !== null}>
          Scan
        </button>
        {canPick && (
          <button type="button" disabled={busy !== null} onClick={() => void pick()}>
            Choose file…
          </button>
        )}
        <BusyLabel label={busy === 'scan' ? 'Scanning…' : undefined} />
      </form>
      {scan && (
        <ul className="import-sources" aria-label="Files looked at">
          {scan.sources.map((s) => (
            <li key={s.file} data-status={s.status}>
              <code>{s.file}</code>:{' '}
              {s.status === 'found'
                ? 'read'
                : s.status === 'missing'
                  ? 'not found'
                  : 'not readable'}
              {s.message && <> — {s.message}</>}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {outcomes ? (
        <ImportOutcomes outcomes={outcomes} />
      ) : scan && candidates.length === 0 ? (
        <p data-testid="import-none">No provider keys were found in these files.</p>
      ) : (
        <ul className="import-candidates" aria-label="Keys found">
          {candidates.map((c) => (
            <li key={c.id} data-name={c.name}>
              <label>
                <input
                  type="checkbox"
                  checked={chosen.has(c.id)}
                  disabled={c.problem !== null}
                  onChange={() => toggle(c.id)}
                />
                <strong>{keyMeta(c.name).title}</strong> <code>{c.fingerprint}</code>
              </label>
              <div className="import-where">
                <code>
                  {c.file}:{c.line}
                </code>
              </div>
              {c.problem && <p className="error-text">Cannot be imported: {c.problem}</p>}
              {c.removeProblem && <p className="hint">{c.removeProblem}</p>}
            </li>
          ))}
        </ul>
      )}
      {!outcomes && candidates.length > 0 && (
        <label className="import-consent">
          <input type="checkbox" checked={remove} onChange={(e) => setRemove(e.target.checked)} />
          Also remove the imported lines from the files (the rest of each file stays as it is)
        </label>
      )}
      <div className="dialog-buttons">
        <BusyLabel label={busy === 'import' ? 'Importing…' : undefined} />
        {!outcomes && (
          <button
            type="button"
            className="primary"
            disabled={busy !== null || chosen.size === 0}
            onClick={() => void importKeys([...chosen], remove)}
          >
            Import {chosen.size === 1 ? '1 key' : `${chosen.size} keys`}
          </button>
        )}
        <button type="button" onClick={close}>
          {outcomes ? 'Done' : 'Cancel'}
        </button>
      </div>
    </Modal>
  );
}

/** The Keys view's "Import from files…" button; the dialog also opens by itself at first run. */
export function ImportKeysButton() {
  const openDialog = useKeyImport((s) => s.openDialog);
  return (
    <button type="button" onClick={openDialog}>
      Import from files…
    </button>
  );
}

/** Mounted once in the app: offers the import at first run, and shows the dialog when open. */
export function KeyImportHost() {
  const open = useKeyImport((s) => s.open);
  const offer = useKeyImport((s) => s.offerOnFirstRun);
  useEffect(() => offer(), [offer]);
  return open ? <ImportDialog /> : null;
}
