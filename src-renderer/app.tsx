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
import { AboutButton } from './features/about/about-dialog';
import { HelpButton } from './features/help/help-dialog';
import { KeyImportHost } from './features/key-import/import-dialog';
import { GettingStarted } from './features/about/getting-started';
import { useWindowTitle } from './features/about/window-title';
import { DISCONNECTED_REASON, useConnection } from './api/connection';
import { ConnectionBanner, CONNECTION_REASON_ID, NeedsLink } from './components/connection-banner';
import { StaleKeysNotice } from './features/secrets/stale-keys-notice';
import { UpdateBanner } from './features/updates/update-banner';
import { useResyncOnReconnect } from './stores/resync';

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
  useWindowTitle();
  const connection = useConnection((s) => s.state);
  useResyncOnReconnect();
  if (connection === 'no-token' || connection === 'refused') {
    return <NeedsLink refused={connection === 'refused'} />;
  }
  const lost = connection === 'lost';

  return (
    <div className="app" data-connection={connection}>
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
        <AboutButton />
        <HelpButton />
      </nav>
      <main className="view">
        <ConnectionBanner />
        <RotationNotice />
        <StaleKeysNotice />
        <UpdateBanner />
        {/* While the app does not answer every action inside is disabled, with the reason. */}
        <fieldset
          className="view-body"
          disabled={lost}
          title={lost ? DISCONNECTED_REASON : undefined}
          aria-describedby={lost ? CONNECTION_REASON_ID : undefined}
        >
          {view === 'keys' ? (
            <KeysView />
          ) : view === 'settings' ? (
            <SettingsView />
          ) : view === 'logs' ? (
            <LogsView />
          ) : view === 'audit' ? (
            <AuditView />
          ) : (
            <>
              <GettingStarted />
              <ServicesView />
            </>
          )}
        </fieldset>
      </main>
      <KeyDialog />
      <KeyImportHost />
    </div>
  );
}
