import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { BusyLabel } from '../../components/busy-label';
import { flushSync } from 'react-dom';
import { Modal } from '../../components/modal';
import { useSecrets, type KeyDialogState } from '../../stores/secrets';
import { formatHint, formatProblem, keyMeta, whyLine } from './catalog';

/** The key dialog, shown over any view while the secrets store names a key to ask for. */
export function KeyDialog() {
  const dialog = useSecrets((s) => s.dialog);
  if (!dialog) return null;
  // A new key (or mode) is a new form: nothing typed carries over.
  return <KeyForm key={`${dialog.name}:${dialog.mode}`} dialog={dialog} />;
}

/** The form itself. The typed value lives only in this component's state and input. */
function KeyForm({ dialog }: { dialog: KeyDialogState }) {
  const { name, mode } = dialog;
  const meta = keyMeta(name);
  const snapshot = useSecrets((s) => s.snapshot);
  const saving = useSecrets((s) => s.pending[`key:${name}`] !== undefined);
  const { save, rotate, closeDialog } = useSecrets.getState();
  const info = snapshot?.keys.find((k) => k.name === name);
  const keychain = snapshot?.keychain ?? { backend: 'none', available: false, reason: null };
  const touchId = snapshot?.touchIdAvailable ?? false;

  const [value, setValue] = useState('');
  const [shown, setShown] = useState(false);
  const [remember, setRemember] = useState(keychain.available && (info?.remembered ?? false));
  const [requireTouchId, setRequireTouchId] = useState(info?.requireTouchId ?? false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [attempted, setAttempted] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  // Whatever way the form goes away, the DOM input is emptied.
  useEffect(() => {
    const field = input.current;
    return () => {
      if (field) field.value = '';
    };
  }, []);

  const clearField = () => {
    if (input.current) input.current.value = '';
    flushSync(() => setValue(''));
  };
  const cancel = () => {
    if (saving) return;
    clearField();
    closeDialog();
  };

  const problem = formatProblem(meta, value);
  const title = mode === 'rotate' ? `Rotate ${meta.title}` : meta.title;
  const consumers = snapshot?.consumers[name] ?? [];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    if (saving || value === '' || problem) {
      input.current?.focus();
      return;
    }
    setServerError(null);
    try {
      const send = mode === 'rotate' ? rotate : save;
      await send(name, value, remember && keychain.available, remember && requireTouchId);
    } catch (error) {
      // Keep what was typed: the user fixes the cause and saves again.
      setServerError(error instanceof Error ? error.message : String(error));
      return;
    }
    clearField();
    closeDialog();
  };

  const fieldMessage =
    problem ?? (attempted && value === '' ? `Paste your ${meta.title} first.` : null);

  return (
    <Modal
      labelledBy={`${id}-title`}
      describedBy={`${id}-why`}
      onCancel={cancel}
      initialFocus={input}
      className="key-dialog"
    >
      <form onSubmit={(e) => void submit(e)} noValidate data-key={name}>
        <h2 id={`${id}-title`}>{title}</h2>
        <p id={`${id}-why`} className="why">
          {whyLine(meta, consumers)}
        </p>
        <p className="hint small">
          Tools that agents run through the runner can read it too, like any environment variable.
        </p>
        {mode === 'rotate' && (
          <p className="rotate-plan" data-field="rotate-plan">
            {rotatePlan(consumers)}
          </p>
        )}
        <label htmlFor={`${id}-value`} className="field-label">
          {meta.title}
        </label>
        <div className="secret-field">
          <input
            ref={input}
            id={`${id}-value`}
            type={shown ? 'text' : 'password'}
            autoComplete="off"
            autoCorrect="off"
            autoCapitalize="off"
            spellCheck={false}
            value={value}
            onChange={(e) => {
              setValue(e.target.value);
              setServerError(null);
            }}
            aria-invalid={fieldMessage ? true : undefined}
            aria-describedby={`${id}-hint`}
            readOnly={saving}
          />
          <button
            type="button"
            className="eye"
            aria-pressed={shown}
            aria-label={shown ? 'Hide key' : 'Show key'}
            onClick={() => setShown(!shown)}
          >
            {shown ? 'Hide' : 'Show'}
          </button>
        </div>
        <p id={`${id}-hint`} className={fieldMessage ? 'field-hint error-text' : 'field-hint hint'}>
          <span role="status">{fieldMessage ?? formatHint(meta)}</span>
        </p>
        <div className="choices">
          <label className={keychain.available ? 'check' : 'check disabled'}>
            <input
              type="checkbox"
              checked={remember}
              disabled={!keychain.available || saving}
              onChange={(e) => setRemember(e.target.checked)}
              aria-describedby={keychain.available ? undefined : `${id}-nokeychain`}
            />
            Remember in the system keychain
            {keychain.available && keychain.backend !== 'none' ? ` (${keychain.backend})` : ''}
          </label>
          {!keychain.available && (
            <p id={`${id}-nokeychain`} className="hint small" data-field="keychain-reason">
              {keychain.reason ?? 'No usable keychain was found. The key stays in memory only.'}
            </p>
          )}
          {touchId && (
            <label className={remember ? 'check' : 'check disabled'}>
              <input
                type="checkbox"
                checked={remember && requireTouchId}
                disabled={!remember || saving}
                onChange={(e) => setRequireTouchId(e.target.checked)}
              />
              Require Touch ID
            </label>
          )}
        </div>
        {serverError && (
          <p className="banner error" role="alert" data-field="dialog-error">
            {serverError}
          </p>
        )}
        <div className="dialog-buttons">
          <BusyLabel label={saving && (mode === 'rotate' ? 'Rotating…' : 'Saving…')} />
          <button type="button" onClick={cancel} disabled={saving}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={saving}>
            {mode === 'rotate' && consumers.length > 0
              ? `Rotate and restart ${consumers.join(' and ')}`
              : 'Save'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** What Rotate will do, said before it is done. */
export function rotatePlan(consumers: readonly string[]): string {
  if (consumers.length === 0) return 'The new key replaces the old one; no service uses it now.';
  const list = consumers.join(' and ');
  return (
    `Rotating restarts ${list} with the new key. If ${consumers.length > 1 ? 'they do' : 'it does'} ` +
    'not come up with it, the old key is put back and ' +
    `${list} ${consumers.length > 1 ? 'are' : 'is'} restarted with that.`
  );
}
