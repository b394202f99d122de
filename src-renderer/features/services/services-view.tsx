import { useServices } from '../../stores/services';
import { BusyLabel } from '../../components/busy-label';
import { ServiceRow } from './service-row';
import { STACK_LABEL } from './format';
import { useNow } from './use-now';
import { useFocusRescue } from './use-focus-rescue';
import { DependentsDialog } from './dependents-dialog';
import { stackActionReasons } from './disabled-reasons';
import { disabledBecause, WhyDisabled } from '../../components/why-disabled';
import './services.css';

/** The Services view: stack header with Start all / Stop all, then one row per service. */
export function ServicesView() {
  const snapshot = useServices((s) => s.snapshot);
  // One flag per stack action: Stop all and Reload stay usable while Start all waits.
  const starting = useServices((s) => s.pending['stack:start']);
  const stopping = useServices((s) => s.pending['stack:stop']);
  const reloading = useServices((s) => s.pending['stack:reload']);
  const retrying = useServices((s) => s.pending['stack:retry']);
  const focus = useFocusRescue(() => document.getElementById('services-title'));
  const error = useServices((s) => s.error);
  const { startStack, stopStack, reload, dismissError } = useServices.getState();
  const now = useNow();

  if (!snapshot) return <p className="loading">Connecting to Stigmer Local…</p>;
  const installed = snapshot.services.filter((s) => s.state !== 'not-installed');
  const ready = installed.filter((s) => s.state === 'ready').length;
  const anyRunning = installed.some((s) => !['stopped', 'failed', 'crashed'].includes(s.state));
  const allUp = installed.every((s) => s.state === 'ready' || s.state === 'starting');
  const why = stackActionReasons({
    starting: !!starting,
    stopping: !!stopping,
    installed: installed.length,
    allUp,
    anyRunning,
  });

  return (
    <section aria-labelledby="services-title">
      <header className="view-header">
        <div>
          <h1 id="services-title" tabIndex={-1}>
            Services
          </h1>
          <p className="stack-state" data-stack-state={snapshot.state}>
            {STACK_LABEL[snapshot.state]}
            {installed.length > 0 && ` · ${ready} of ${installed.length} ready`}
          </p>
        </div>
        <div className="actions" ref={focus.ref} {...focus.bind}>
          <BusyLabel label={stopping ?? starting ?? reloading ?? retrying} />
          <button
            type="button"
            className="primary"
            {...disabledBecause('why-start-all', why.startAll)}
            onClick={() => void startStack()}
          >
            Start all
          </button>
          <WhyDisabled id="why-start-all" reason={why.startAll} />
          <button
            type="button"
            {...disabledBecause('why-stop-all', why.stopAll)}
            onClick={() => void stopStack()}
          >
            Stop all
          </button>
          <WhyDisabled id="why-stop-all" reason={why.stopAll} />
          <button
            type="button"
            disabled={!!reloading}
            onClick={() => void reload()}
            title={`Read ${snapshot.stackFile.path} again`}
          >
            Reload stack file
          </button>
        </div>
      </header>
      {error && (
        <div className="banner error" role="alert">
          <p>{error}</p>
          <button type="button" className="link" onClick={dismissError}>
            Dismiss
          </button>
        </div>
      )}
      {snapshot.stackFile.error && (
        <div className="banner warn" role="alert" data-field="stack-file-error">
          <p>{snapshot.stackFile.error}</p>
          <p className="hint">
            The last good stack keeps running. Fix {snapshot.stackFile.path} and reload.
          </p>
        </div>
      )}
      <p className="hint stack-file" data-field="stack-file">
        Stack file: <code>{snapshot.stackFile.path}</code>
        {snapshot.stackFile.exists ? '' : ' (not created; the default stack runs)'}
      </p>
      <ul className="services" aria-label="Services">
        {snapshot.services.map((service) => (
          <ServiceRow key={service.name} service={service} now={now} />
        ))}
      </ul>
      <DependentsDialog />
    </section>
  );
}
