import { useEffect } from 'react';
import { useServices } from './stores/services';
import { useSecrets } from './stores/secrets';
import { useLogs } from './stores/logs';
import { useNavigation, type View } from './stores/navigation';
import { ServicesView } from './features/services/services-view';
import { KeysView } from './features/secrets/keys-view';
import { KeyDialog } from './features/secrets/key-dialog';
import { RotationNotice } from './features/secrets/rotation-notice';
import { SettingsView } from './features/settings/settings-view';
import { LogsView } from './features/logs/logs-view';
import { AuditView } from './features/audit/audit-view';

const VIEWS: { id: View; label: string }[] = [
  { id: 'services', label: 'Services' },
  { id: 'logs', label: 'Logs' },
  { id: 'keys', label: 'Keys' },
  { id: 'audit', label: 'Audit' },
  { id: 'settings', label: 'Settings' },
];

/** The window: a left rail, the current view, and the key dialog over any view. */
export function App() {
  const initServices = useServices((s) => s.init);
  const initSecrets = useSecrets((s) => s.init);
  useEffect(() => initServices(), [initServices]);
  useEffect(() => initSecrets(), [initSecrets]);
  const initLogs = useLogs((s) => s.init);
  useEffect(() => initLogs(), [initLogs]);
  const view = useNavigation((s) => s.view);
  const choose = useNavigation((s) => s.go);

  return (
    <div className="app">
      <nav className="rail" aria-label="Views">
        <div className="brand" aria-hidden="true">
          S
        </div>
        {VIEWS.map(({ id, label }) => (
          <button
            key={id}
            type="button"
            className="rail-item"
            aria-current={view === id ? 'page' : undefined}
            onClick={() => choose(id)}
          >
            {label}
          </button>
        ))}
      </nav>
      <main className="view">
        <RotationNotice />
        {view === 'keys' ? (
          <KeysView />
        ) : view === 'settings' ? (
          <SettingsView />
        ) : view === 'logs' ? (
          <LogsView />
        ) : view === 'audit' ? (
          <AuditView />
        ) : (
          <ServicesView />
        )}
      </main>
      <KeyDialog />
    </div>
  );
}
