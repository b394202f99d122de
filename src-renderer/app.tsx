import { useEffect, useState } from 'react';
import { useServices } from './stores/services';
import { useSecrets } from './stores/secrets';
import { ServicesView } from './features/services/services-view';
import { KeysView } from './features/secrets/keys-view';
import { KeyDialog } from './features/secrets/key-dialog';
import { RotationNotice } from './features/secrets/rotation-notice';
import { SettingsView } from './features/settings/settings-view';

type View = 'services' | 'keys' | 'settings';

const VIEWS: { id: View; label: string }[] = [
  { id: 'services', label: 'Services' },
  { id: 'keys', label: 'Keys' },
  { id: 'settings', label: 'Settings' },
];
const VIEW_STORAGE = 'stigmer.view';

function initialView(): View {
  try {
    const saved = localStorage.getItem(VIEW_STORAGE);
    return VIEWS.find((v) => v.id === saved)?.id ?? 'services';
  } catch {
    return 'services';
  }
}

/** The window: a left rail, the current view, and the key dialog over any view. */
export function App() {
  const initServices = useServices((s) => s.init);
  const initSecrets = useSecrets((s) => s.init);
  useEffect(() => initServices(), [initServices]);
  useEffect(() => initSecrets(), [initSecrets]);
  const [view, setView] = useState<View>(initialView);
  const choose = (next: View) => {
    setView(next);
    try {
      localStorage.setItem(VIEW_STORAGE, next);
    } catch {
      // Storage can be unavailable; the view still switches for this session.
    }
  };

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
        {view === 'keys' ? <KeysView /> : view === 'settings' ? <SettingsView /> : <ServicesView />}
      </main>
      <KeyDialog />
    </div>
  );
}
