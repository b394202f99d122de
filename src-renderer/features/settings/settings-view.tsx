import { useEffect, useId, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { Settings } from '../../../src-shared/model/settings';
import { useServices } from '../../stores/services';

/** Settings: how long keys stay in memory, and where the stack file is. */
export function SettingsView() {
  const id = useId();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [minutes, setMinutes] = useState('');
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const stackFile = useServices((s) => s.snapshot?.stackFile.path);

  useEffect(() => {
    api.getSettings().then(
      (s) => {
        setSettings(s);
        setMinutes(String(s.keyIdleMinutes));
      },
      (e: Error) => setStatus({ kind: 'error', text: e.message }),
    );
  }, []);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const value = Number(minutes);
    if (minutes.trim() === '' || !Number.isInteger(value)) {
      setStatus({ kind: 'error', text: 'Enter a whole number of minutes (0 = never forget).' });
      return;
    }
    setSaving(true);
    try {
      const next = await api.setSettings({ keyIdleMinutes: value });
      setSettings(next);
      setStatus({ kind: 'ok', text: 'Saved.' });
    } catch (error) {
      // Keep what was typed so it can be corrected.
      setStatus({ kind: 'error', text: error instanceof Error ? error.message : String(error) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <header className="view-header">
        <div>
          <h1 id={`${id}-title`}>Settings</h1>
        </div>
      </header>
      <form className="settings-form" onSubmit={(e) => void save(e)} noValidate>
        <label htmlFor={`${id}-idle`}>Forget keys from memory after this many idle minutes</label>
        <div className="settings-row">
          <input
            id={`${id}-idle`}
            type="number"
            min={0}
            max={1440}
            step={1}
            value={minutes}
            disabled={!settings}
            onChange={(e) => setMinutes(e.target.value)}
            aria-describedby={`${id}-idle-hint`}
          />
          <button type="submit" className="primary" disabled={!settings || saving}>
            Save
          </button>
        </div>
        <p id={`${id}-idle-hint`} className="hint">
          Counted from the last time a service received the key. 0 keeps keys until you choose Lock
          keys or quit. Remembered keys come back from the keychain when needed.
        </p>
        {status && (
          <p
            className={status.kind === 'ok' ? 'hint' : 'error-text'}
            role={status.kind === 'ok' ? 'status' : 'alert'}
          >
            {status.text}
          </p>
        )}
      </form>
      {stackFile && (
        <p className="hint">
          Stack file: <code>{stackFile}</code>
        </p>
      )}
    </section>
  );
}
