import { useEffect, useId, useState } from 'react';
import type { Settings } from '../../../src-shared/model/settings';
import { WhyDisabled, disabledBecause } from '../../components/why-disabled';
import { api } from '../../api/client';
import { useUpdates } from './updates-store';
import { ReleaseNotes } from './update-banner';
import { statusLine } from './update-words';

/** Settings → Updates: the version, where the update stands, Check for updates, the switch. */
export function UpdatesSettings() {
  const id = useId();
  const status = useUpdates((s) => s.status);
  const busy = useUpdates((s) => s.busy);
  const actionError = useUpdates((s) => s.actionError);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  useEffect(() => {
    api
      .getSettings()
      .then(setSettings, (error: unknown) =>
        setSaveError(error instanceof Error ? error.message : String(error)),
      );
  }, []);
  const unavailable = status?.phase === 'unavailable' ? status.reason : null;
  const checkWhy =
    unavailable ??
    (busy === 'check' || status?.phase === 'checking'
      ? 'Checking…'
      : status?.phase === 'downloading'
        ? 'The update is downloading.'
        : null);
  const toggle = async (autoUpdates: boolean) => {
    if (!settings) return;
    const before = settings;
    setSaveError(null);
    // The box follows the click at once; it goes back (with the reason) if the save fails.
    setSettings({ ...before, autoUpdates });
    try {
      setSettings(await api.setSettings({ autoUpdates }));
    } catch (error) {
      setSettings(before);
      setSaveError(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <div className="settings-form updates-settings" data-field="updates">
      <h2 id={`${id}-title`}>Updates</h2>
      <p data-field="update-status" aria-live="polite">
        {status ? statusLine(status) : 'Reading the update status…'}
      </p>
      {status && status.phase !== 'unavailable' && (
        <p className="hint">This is Stigmer Local {status.currentVersion}.</p>
      )}
      {status?.lastCheckedAt && (
        <p className="hint">Last checked {new Date(status.lastCheckedAt).toLocaleString()}.</p>
      )}
      <div className="settings-row">
        <button
          type="button"
          {...disabledBecause(`${id}-check-why`, checkWhy)}
          onClick={() => void useUpdates.getState().check()}
        >
          Check for updates
        </button>
        <WhyDisabled id={`${id}-check-why`} reason={checkWhy} />
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={settings?.autoUpdates ?? false}
          disabled={!settings}
          onChange={(e) => void toggle(e.target.checked)}
        />
        Check for updates automatically (at start and once a day) and download them in the
        background
      </label>
      {unavailable && settings?.autoUpdates && (
        <p className="hint">The switch takes effect in a release build of the desktop app.</p>
      )}
      {status?.phase === 'ready' && <ReleaseNotes notes={status.releaseNotes} />}
      {(actionError ?? saveError) && (
        <p className="error-text" role="alert">
          {actionError ?? saveError}
        </p>
      )}
    </div>
  );
}
