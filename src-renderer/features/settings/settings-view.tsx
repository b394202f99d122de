import { useEffect, useId, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { PROGRAMS, type ProgramName, type Settings } from '../../../src-shared/model/settings';
import { useServices } from '../../stores/services';
import { programState } from './program-state';
import { programSource, settingsProblem, sourceLabel } from './program-source';
import { plainSettingsError } from './setting-words';
import { disabledBecause, WhyDisabled } from '../../components/why-disabled';
import { UpdatesSettings } from '../updates/updates-settings';
import { CliToolSettings } from './cli-tool-settings';

/** What a form's last save did: "Saved." as a status, or the error as an alert. */
type SaveStatus = { kind: 'ok' | 'error'; text: string } | null;

function FormStatus({ status }: { status: SaveStatus }) {
  if (!status) return null;
  const ok = status.kind === 'ok';
  return (
    <p className={ok ? 'hint' : 'error-text'} role={ok ? 'status' : 'alert'}>
      {status.text}
    </p>
  );
}

/** One text field per program (the default services' and Node): its saved location, or blank. */
function pathFields(binaries: Settings['binaries']): Record<ProgramName, string> {
  return Object.fromEntries(PROGRAMS.map((name) => [name, binaries[name] ?? ''])) as Record<
    ProgramName,
    string
  >;
}

const PLACEHOLDER: Record<ProgramName, string> = {
  temporal: '/path/to/temporal',
  'stigmer-server': '/path/to/stigmer-server',
  'agent-runner': '/path/to/stigmer-runner (or its main.js, or its folder)',
  node: '/path/to/node (agent-runner needs 22.13 or newer)',
};

/** Settings: how long keys stay in memory, where the default services' programs are, the stack file. */
export function SettingsView() {
  const id = useId();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [minutes, setMinutes] = useState('');
  const [status, setStatus] = useState<SaveStatus>(null);
  const [saving, setSaving] = useState(false);
  const stackFile = useServices((s) => s.snapshot?.stackFile.path);
  const loading = settings ? null : 'Settings are still loading.';
  const services = useServices((s) => s.snapshot?.services);
  const [paths, setPaths] = useState(() => pathFields({}));
  const [pathStatus, setPathStatus] = useState<SaveStatus>(null);
  const [savingPaths, setSavingPaths] = useState(false);
  const [canLaunchAtLogin, setCanLaunchAtLogin] = useState(false);
  const [canPickFiles, setCanPickFiles] = useState(false);
  const [loginStatus, setLoginStatus] = useState<string | null>(null);
  const [loginNote, setLoginNote] = useState<string | null>(null);

  useEffect(() => {
    api.appInfo().then(
      (info) => {
        setCanLaunchAtLogin(info.canLaunchAtLogin);
        setCanPickFiles(info.canPickFiles);
        setLoginNote(info.loginItemNote ?? null);
      },
      () => undefined,
    );
    api.getSettings().then(
      (s) => {
        setSettings(s);
        setMinutes(String(s.keyIdleMinutes));
        setPaths(pathFields(s.binaries));
      },
      (e: Error) => setStatus({ kind: 'error', text: plainSettingsError(e) }),
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
      setStatus({ kind: 'error', text: plainSettingsError(error) });
    } finally {
      setSaving(false);
    }
  };

  const toggleLaunchAtLogin = async (enabled: boolean) => {
    setLoginStatus(null);
    try {
      setSettings(await api.setSettings({ launchAtLogin: enabled }));
    } catch (error) {
      setLoginStatus(plainSettingsError(error));
    }
    // macOS may register the item but wait for approval in System Settings: ask again.
    api.appInfo().then(
      (info) => setLoginNote(info.loginItemNote ?? null),
      () => undefined,
    );
  };

  const locate = async (name: ProgramName) => {
    try {
      const picked = await api.pickProgram(name);
      // Filled in, not saved: Save locations applies it, like a typed path.
      if (picked) setPaths((current) => ({ ...current, [name]: picked }));
    } catch (error) {
      setPathStatus({
        kind: 'error',
        text: error instanceof Error ? error.message : String(error),
      });
    }
  };

  const savePaths = async (event: FormEvent) => {
    event.preventDefault();
    // A blank field means "look in the usual places".
    const binaries: Partial<Record<ProgramName, string>> = {};
    for (const name of PROGRAMS) if (paths[name].trim()) binaries[name] = paths[name].trim();
    setSavingPaths(true);
    try {
      const next = await api.setSettings({ binaries });
      setSettings(next);
      setPathStatus({ kind: 'ok', text: 'Saved; the programs were looked for again.' });
    } catch (error) {
      // Keep what was typed so it can be corrected.
      setPathStatus({ kind: 'error', text: plainSettingsError(error) });
    } finally {
      setSavingPaths(false);
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
          <button
            type="submit"
            className="primary"
            {...disabledBecause(`${id}-idle-why`, loading ?? (saving && 'Saving…'))}
          >
            Save
          </button>
          <WhyDisabled id={`${id}-idle-why`} reason={loading ?? (saving && 'Saving…')} />
        </div>
        <p id={`${id}-idle-hint`} className="hint">
          Counted from the last time a service received the key. 0 keeps keys until you choose Lock
          keys or quit. Remembered keys come back from the keychain when needed.
        </p>
        <FormStatus status={status} />
      </form>
      <div className="settings-form" data-field="launch-at-login">
        <label className={canLaunchAtLogin ? 'check' : 'check disabled'}>
          <input
            type="checkbox"
            checked={settings?.launchAtLogin ?? false}
            disabled={!settings || !canLaunchAtLogin}
            title={
              !canLaunchAtLogin
                ? 'Available in the desktop app; this window is served by the browser host.'
                : (loading ?? undefined)
            }
            onChange={(e) => void toggleLaunchAtLogin(e.target.checked)}
          />
          Start Stigmer Local when you log in (in the tray, without a window)
        </label>
        {!canLaunchAtLogin && settings && (
          <p className="hint">
            Available in the desktop app; this window is served by the browser host.
          </p>
        )}
        {loginNote && settings?.launchAtLogin && (
          <p className="hint" data-testid="login-item-note">
            {loginNote}
          </p>
        )}
        {loginStatus && (
          <p className="error-text" role="alert">
            {loginStatus}
          </p>
        )}
      </div>
      <form
        className="settings-form"
        onSubmit={(e) => void savePaths(e)}
        noValidate
        aria-labelledby={`${id}-programs`}
        data-field="programs"
      >
        <h2 id={`${id}-programs`}>Programs</h2>
        <p className="hint">
          Where each service&apos;s program is, if it is not on PATH or in ~/.stigmer/bin: a full
          path to an executable or a Node script (for stigmer-server also its package folder). Leave
          blank to look in the usual places. A command set in the stack file wins over these.
        </p>
        <p className="hint">
          node: the Node that runs Node programs (agent-runner needs 22.13 or newer). Tried first;
          without it, or when it is too old, STIGMER_NODE, the app&apos;s own Node, node on PATH and
          the nvm, fnm, Volta, asdf, Homebrew and /usr/local installs are tried.
        </p>
        {PROGRAMS.map((name) => {
          const service = services?.find((s) => s.name === name);
          const source = service && stackFile ? programSource(service, stackFile) : null;
          // Where the program in use comes from says more than "found" beside an empty field.
          const state = source
            ? sourceLabel(source)
            : services
              ? programState(name, services)
              : null;
          const saved = settings?.binaries[name];
          const problem = saved && service ? settingsProblem(service) : null;
          const overridden = source?.kind === 'stack-file' && paths[name].trim() !== '';
          return (
            <div key={name} className="settings-program">
              <label htmlFor={`${id}-bin-${name}`}>{name}</label>
              <input
                id={`${id}-bin-${name}`}
                type="text"
                spellCheck={false}
                autoComplete="off"
                placeholder={PLACEHOLDER[name]}
                value={paths[name]}
                disabled={!settings}
                onChange={(e) => setPaths({ ...paths, [name]: e.target.value })}
              />
              {canPickFiles && (
                <button
                  type="button"
                  onClick={() => void locate(name)}
                  aria-label={`Locate ${name}…`}
                  {...disabledBecause(`${id}-paths-why`, loading)}
                >
                  Locate…
                </button>
              )}
              {state && (
                <span className="hint" data-field="program-state" data-service={name}>
                  {state}
                  {overridden && ` (the stack file wins over this field)`}
                </span>
              )}
              {problem && service && (
                <p
                  className="banner warn program-warning"
                  role="alert"
                  data-field="program-warning"
                  data-service={name}
                >
                  Nothing usable at {problem.path} ({problem.reason}).{' '}
                  {source
                    ? `${service.displayName} uses another copy instead (${sourceLabel(source)}).`
                    : `${service.displayName} cannot start until this points at its program.`}{' '}
                  Correct the path, or clear the field to look in the usual places.
                </p>
              )}
            </div>
          );
        })}
        <div className="settings-row">
          <button
            type="submit"
            className="primary"
            {...disabledBecause(`${id}-paths-why`, loading ?? (savingPaths && 'Saving…'))}
          >
            Save locations
          </button>
          <WhyDisabled id={`${id}-paths-why`} reason={loading ?? (savingPaths && 'Saving…')} />
        </div>
        <FormStatus status={pathStatus} />
      </form>
      <UpdatesSettings />
      <CliToolSettings />
      {stackFile && (
        <p className="hint">
          Stack file: <code>{stackFile}</code>
        </p>
      )}
    </section>
  );
}
