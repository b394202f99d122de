import { useId, useState } from 'react';
import type { CliInstallResult } from '../../../src-shared/ipc/contract';
import { api } from '../../api/client';
import { WhyDisabled, disabledBecause } from '../../components/why-disabled';

/**
 * Settings → Command line tool: puts `stigmer-local` on PATH (a link in ~/.local/bin or
 * /usr/local/bin in the desktop app), or says how where the host cannot (Windows, browser host).
 */
export function CliToolSettings() {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<CliInstallResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const install = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await api.installCli());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const why = busy ? 'Installing…' : null;
  return (
    <div className="settings-form cli-tool-settings" data-field="cli-tool">
      <h2 id={`${id}-title`}>Command line tool</h2>
      <p className="hint">
        <code>stigmer-local</code> runs this app from a terminal: <code>stigmer-local status</code>,{' '}
        <code>logs -f</code>, <code>keys set NAME</code>, <code>up</code> and <code>down</code>{' '}
        where there is no desktop.
      </p>
      <div className="settings-row">
        <button type="button" {...disabledBecause(`${id}-why`, why)} onClick={() => void install()}>
          Install command line tool
        </button>
        <WhyDisabled id={`${id}-why`} reason={why} />
      </div>
      {result && (
        <p className="hint" role="status" data-field="cli-install-result">
          {result.installed ? 'Installed: ' : 'Not installed: '}
          <code>{result.path}</code>. {result.advice}
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
