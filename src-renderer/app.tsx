import { useEffect } from 'react';
import { useServices } from './stores/services';
import { ServicesView } from './features/services/services-view';

/** The window: a left rail and the current view. */
export function App() {
  const init = useServices((s) => s.init);
  useEffect(() => init(), [init]);
  return (
    <div className="app">
      <nav className="rail" aria-label="Views">
        <div className="brand" aria-hidden="true">
          S
        </div>
        <button type="button" className="rail-item" aria-current="page">
          Services
        </button>
      </nav>
      <main className="view">
        <ServicesView />
      </main>
    </div>
  );
}
