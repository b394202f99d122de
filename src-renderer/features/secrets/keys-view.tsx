import { useState } from 'react';
import { BusyLabel } from '../../components/busy-label';
import type { SecretInfo, SecretSource } from '../../../src-shared/model/secret';
import { useSecrets } from '../../stores/secrets';
import { useNow } from '../services/use-now';
import { formatAgo, keyMeta } from './catalog';
import { ConfirmDialog } from './confirm-dialog';

const SOURCE_LABEL: Record<SecretSource, string> = {
  session: 'Session',
  keychain: 'Keychain',
  environment: 'Environment',
};

/** The Keys view: which keychain is in use, one card per key, and "Lock keys". */
export function KeysView() {
  const snapshot = useSecrets((s) => s.snapshot);
  const error = useSecrets((s) => s.error);
  const locking = useSecrets((s) => s.pending.lock);
  const { lock, dismissError } = useSecrets.getState();
  const [deleting, setDeleting] = useState<string | null>(null);
  const now = useNow();

  if (!snapshot) return <p className="loading">Reading keys…</p>;
  const { keychain } = snapshot;
  const anyLoaded = snapshot.keys.some((k) => k.loaded);

  return (
    <section aria-labelledby="keys-title">
      <header className="view-header">
        <div>
          <h1 id="keys-title">Keys</h1>
          <p className="stack-state">
            Only names, sources and fingerprints are shown; a value never comes back to this window.
          </p>
        </div>
        <div className="actions">
          <BusyLabel label={locking} />
          <button
            type="button"
            disabled={!!locking || !anyLoaded}
            onClick={() => void lock()}
            title="Forget all keys from memory now"
          >
            Lock keys
          </button>
        </div>
      </header>
      <div
        className={keychain.available ? 'banner info' : 'banner warn'}
        data-field="keychain"
        data-backend={keychain.backend}
      >
        {keychain.available ? (
          <p>Keys you choose to remember are kept in {keychain.backend}.</p>
        ) : (
          <>
            <p>No usable keychain: keys live in memory only and are asked for again later.</p>
            {keychain.reason && <p className="hint">{keychain.reason}</p>}
          </>
        )}
      </div>
      {error && (
        <div className="banner error" role="alert">
          <p>{error}</p>
          <button type="button" className="link" onClick={dismissError}>
            Dismiss
          </button>
        </div>
      )}
      <ul className="keys" aria-label="Keys">
        {snapshot.keys.map((info) => (
          <KeyCard key={info.name} info={info} now={now} onDelete={() => setDeleting(info.name)} />
        ))}
      </ul>
      {deleting && (
        <ConfirmDialog
          title={`Delete ${keyMeta(deleting).title}?`}
          message={`Delete ${keyMeta(deleting).noun.replace(/^An? /, 'the ')} from memory and the keychain?`}
          confirmLabel="Delete"
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const name = deleting;
            setDeleting(null);
            void useSecrets.getState().remove(name);
          }}
        />
      )}
    </section>
  );
}

/** One key: set or not, where it came from, its fingerprint, when it was set, its actions. */
function KeyCard({ info, now, onDelete }: { info: SecretInfo; now: number; onDelete(): void }) {
  const meta = keyMeta(info.name);
  const pending = useSecrets((s) => s.pending[`key:${info.name}`]);
  const busy = pending !== undefined;
  const status = !info.set ? 'Not set' : info.loaded ? 'Set' : 'Set · locked';

  return (
    <li className="key-card" data-key={info.name} aria-label={meta.title}>
      <div className="key-main">
        <div className="key-name">
          <span className="name">{meta.title}</span>
          <span className="tag">{info.required ? 'required' : 'optional'}</span>
          <div className="hint small">
            <code>{info.name}</code>
          </div>
        </div>
        <span className={info.set ? 'pill pill-ready' : 'pill'} data-field="status">
          <span className="dot" aria-hidden="true" />
          {status}
        </span>
        <div className="actions">
          <BusyLabel label={pending} />
          <button
            type="button"
            className={info.set ? undefined : 'primary'}
            disabled={busy}
            aria-label={`${info.set ? 'Rotate' : 'Set'} ${meta.title}`}
            onClick={() =>
              useSecrets.getState().openDialog(info.name, info.set ? 'rotate' : 'enter')
            }
          >
            {info.set ? 'Rotate' : 'Set'}
          </button>
          <button
            type="button"
            disabled={busy || !info.set}
            aria-label={`Delete ${meta.title}`}
            onClick={onDelete}
          >
            Delete
          </button>
        </div>
      </div>
      <dl className="facts key-facts">
        <div>
          <dt>Source</dt>
          <dd data-field="source" data-source={info.source ?? ''}>
            {info.source ? SOURCE_LABEL[info.source] : '—'}
          </dd>
        </div>
        <div>
          <dt>Fingerprint</dt>
          <dd data-field="fingerprint" className="mono">
            {info.fingerprint ?? '—'}
          </dd>
        </div>
        <div>
          <dt>Last set</dt>
          <dd
            data-field="updated"
            title={info.updatedAt ? new Date(info.updatedAt).toLocaleString() : undefined}
          >
            {info.updatedAt ? formatAgo(info.updatedAt, now) : '—'}
          </dd>
        </div>
        <div>
          <dt>Remembered</dt>
          <dd data-field="remembered">{info.remembered ? 'Yes' : 'No'}</dd>
        </div>
        <div>
          <dt>Touch ID</dt>
          <dd data-field="touch-id">{info.requireTouchId ? 'On' : 'Off'}</dd>
        </div>
      </dl>
    </li>
  );
}
