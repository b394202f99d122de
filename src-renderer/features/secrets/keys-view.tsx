import { useState } from 'react';
import { BusyLabel } from '../../components/busy-label';
import type { SecretInfo, SecretSource } from '../../../src-shared/model/secret';
import { useSecrets } from '../../stores/secrets';
import { useNow } from '../services/use-now';
import { formatAgo, keyMeta } from './catalog';
import { ConfirmDialog } from './confirm-dialog';
import { lockExplanation, runningConsumers } from '../../stores/key-notices';
import { useServices } from '../../stores/services';
import { disabledBecause, WhyDisabled } from '../../components/why-disabled';
import { ImportKeysButton } from '../key-import/import-dialog';
import './secrets.css';

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
  const [confirmLock, setConfirmLock] = useState(false);
  const services = useServices((s) => s.snapshot?.services);
  const now = useNow();

  if (!snapshot) return <p className="loading">Reading keys…</p>;
  const { keychain } = snapshot;
  const anyLoaded = snapshot.keys.some((k) => k.loaded);
  const running = (name: string) =>
    services?.some((s) => s.name === name && s.pid !== null) ?? false;
  const named = (id: string) => services?.find((s) => s.name === id)?.displayName ?? id;
  const keepers = (key: string) => runningConsumers(snapshot, key, running).map(named);

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
          <ImportKeysButton />
          <button
            type="button"
            {...disabledBecause(
              'why-lock-keys',
              locking ? 'Locking the keys…' : !anyLoaded && 'No key is in memory now.',
            )}
            onClick={() => setConfirmLock(true)}
            {...(!locking && anyLoaded ? { title: 'Forget all keys from memory now' } : {})}
          >
            Lock keys
          </button>
          <WhyDisabled
            id="why-lock-keys"
            reason={locking ? 'Locking the keys…' : !anyLoaded && 'No key is in memory now.'}
          />
        </div>
      </header>
      <div
        className={keychain.available ? 'banner info' : 'banner warn'}
        data-field="keychain"
        data-backend={keychain.backend}
      >
        {keychain.available ? (
          <p>Keys you choose to remember are kept in the system keychain ({keychain.backend}).</p>
        ) : (
          // One statement: the reason already says that keys stay in memory for this session.
          <p>
            {keychain.reason ??
              'No usable keychain: keys live in memory only and are asked for again after a restart.'}
          </p>
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
          <KeyCard
            key={info.name}
            info={info}
            now={now}
            consumers={snapshot.consumers[info.name] ?? []}
            touchId={snapshot.touchIdAvailable}
            onDelete={() => setDeleting(info.name)}
          />
        ))}
      </ul>
      {deleting && (
        <ConfirmDialog
          title={`Delete ${keyMeta(deleting).title}?`}
          message={`Delete ${keyMeta(deleting).noun.replace(/^An? /, 'the ')} from memory and the keychain?`}
          details={keepers(deleting).map(
            (service) =>
              `${service} is running with this key and keeps it until it is restarted; you can restart it right after.`,
          )}
          confirmLabel="Delete"
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const name = deleting;
            setDeleting(null);
            void useSecrets.getState().remove(name);
          }}
        />
      )}
      {confirmLock && (
        <ConfirmDialog
          title="Lock keys?"
          message={lockExplanation(snapshot)}
          details={[
            ...new Set(snapshot.keys.filter((k) => k.loaded).flatMap((k) => keepers(k.name))),
          ].map(
            (service) =>
              `${service} is running and keeps its keys until it is restarted; you can restart it right after.`,
          )}
          confirmLabel="Lock keys"
          tone="primary"
          onCancel={() => setConfirmLock(false)}
          onConfirm={() => {
            setConfirmLock(false);
            void lock();
          }}
        />
      )}
    </section>
  );
}

/** One key: set or not, where it came from, its fingerprint, when it was set, its actions. */
function KeyCard({
  info,
  now,
  consumers,
  touchId,
  onDelete,
}: {
  info: SecretInfo;
  now: number;
  consumers: readonly string[];
  touchId: boolean;
  onDelete(): void;
}) {
  const meta = keyMeta(info.name);
  const pending = useSecrets((s) => s.pending[`key:${info.name}`]);
  const busy = pending !== undefined;
  const status = keyStatus(info);
  // Required *by a service* (agent-runner may itself be an optional part of the stack).
  const list = consumers.join(', ');
  const need = info.required
    ? `required${list ? ` by ${list}` : ''}`
    : `optional${list ? ` for ${list}` : ''}`;

  return (
    <li className="key-card" data-key={info.name} aria-label={meta.title}>
      <div className="key-main">
        <div className="key-name">
          <span className="name">{meta.title}</span>
          <span className="tag">{need}</span>
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
            {...disabledBecause(`why-set-${info.name}`, busy && `${pending ?? 'Busy'}`)}
            aria-label={`${info.set ? 'Rotate' : 'Set'} ${meta.title}`}
            onClick={() =>
              useSecrets.getState().openDialog(info.name, info.set ? 'rotate' : 'enter')
            }
          >
            {info.set ? 'Rotate' : 'Set'}
          </button>
          <button
            type="button"
            {...disabledBecause(
              `why-delete-${info.name}`,
              busy
                ? (pending ?? 'Busy')
                : !info.set && 'No key is set, so there is nothing to delete.',
            )}
            aria-label={`Delete ${meta.title}`}
            onClick={onDelete}
          >
            Delete
          </button>
          <WhyDisabled id={`why-set-${info.name}`} reason={busy && (pending ?? 'Busy')} />
          <WhyDisabled
            id={`why-delete-${info.name}`}
            reason={
              busy
                ? (pending ?? 'Busy')
                : !info.set && 'No key is set, so there is nothing to delete.'
            }
          />
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
        {(touchId || info.requireTouchId) && (
          <div>
            <dt>Touch ID</dt>
            <dd data-field="touch-id">{info.requireTouchId ? 'On' : 'Off'}</dd>
          </div>
        )}
      </dl>
    </li>
  );
}

/** The word beside a key's fingerprint: never "Not set" for a value that is only locked. */
export function keyStatus(info: SecretInfo): string {
  if (info.loaded) return 'Set';
  if (info.set) return 'Locked — fetched again at next start';
  if (info.fingerprint) return 'Locked — enter it again to use it';
  return 'Not set';
}
