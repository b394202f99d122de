import { useId, useRef, useState } from 'react';
import { Modal } from '../../components/modal';
import { useServices } from '../../stores/services';
import { dependentsStoppedBy, namesList, stopDependentsText, stoppedWith } from './dependents';
import { useServiceDialog } from './service-dialog';

/**
 * The Services view's dependents confirmation: before a Stop that stops the services needing it
 * ("Stopping Stigmer server also stops Agent runner, which needs it."), and on a Start after
 * such a Stop, with "Also start Agent runner" checked.
 */
export function DependentsDialog() {
  const dialog = useServiceDialog((s) => s.dialog);
  const all = useServices((s) => s.snapshot?.services);
  const service = dialog && all?.find((s) => s.name === dialog.name);
  if (!dialog || !all || !service) return null;
  // Keyed: a new request starts with fresh checkboxes.
  return dialog.kind === 'stop' ? (
    <StopDialog key={`stop:${service.name}`} name={service.name} />
  ) : (
    <StartDialog key={`start:${service.name}`} name={service.name} />
  );
}

function StopDialog({ name }: { name: string }) {
  const id = useId();
  const cancelButton = useRef<HTMLButtonElement>(null);
  const all = useServices((s) => s.snapshot?.services ?? []);
  const service = all.find((s) => s.name === name)!;
  const dependents = dependentsStoppedBy(all, name);
  const close = useServiceDialog((s) => s.close);
  const confirm = () => {
    close();
    void useServices.getState().stop(name);
  };
  return (
    <Modal
      labelledBy={`${id}-title`}
      describedBy={`${id}-message`}
      onCancel={close}
      initialFocus={cancelButton}
      className="confirm-dialog"
    >
      <h2 id={`${id}-title`}>Stop {service.displayName}?</h2>
      <p id={`${id}-message`}>
        {dependents.length > 0
          ? stopDependentsText(service, dependents)
          : `Nothing else running needs ${service.displayName}.`}
      </p>
      {dependents.length > 0 && (
        <p className="hint">
          Starting {service.displayName} again offers to start{' '}
          {dependents.length === 1 ? 'it' : 'them'} too.
        </p>
      )}
      <div className="dialog-buttons">
        <button type="button" ref={cancelButton} onClick={close}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={confirm}>
          {dependents.length > 0 ? `Stop ${dependents.length + 1} services` : 'Stop'}
        </button>
      </div>
    </Modal>
  );
}

function StartDialog({ name }: { name: string }) {
  const id = useId();
  const startButton = useRef<HTMLButtonElement>(null);
  const all = useServices((s) => s.snapshot?.services ?? []);
  const service = all.find((s) => s.name === name)!;
  const offered = stoppedWith(all, name);
  // Checked by default: bringing back what the Stop took down is what most people want.
  const [unchecked, setUnchecked] = useState<ReadonlySet<string>>(new Set());
  const close = useServiceDialog((s) => s.close);
  const chosen = offered.filter((s) => !unchecked.has(s.name)).map((s) => s.name);
  const confirm = () => {
    close();
    void useServices.getState().startWith(name, chosen);
  };
  const toggle = (dependent: string, on: boolean) => {
    const next = new Set(unchecked);
    if (on) next.delete(dependent);
    else next.add(dependent);
    setUnchecked(next);
  };
  return (
    <Modal
      labelledBy={`${id}-title`}
      describedBy={`${id}-message`}
      onCancel={close}
      initialFocus={startButton}
      className="confirm-dialog"
    >
      <h2 id={`${id}-title`}>Start {service.displayName}</h2>
      <p id={`${id}-message`}>
        {offered.length > 0
          ? `${namesList(offered)} ${offered.length === 1 ? 'was' : 'were'} stopped when ${service.displayName} was stopped.`
          : `Start ${service.displayName}.`}
      </p>
      {offered.map((s) => (
        <label key={s.name} className="check dependents-check">
          <input
            type="checkbox"
            checked={!unchecked.has(s.name)}
            onChange={(e) => toggle(s.name, e.target.checked)}
          />
          Also start {s.displayName}
        </label>
      ))}
      <div className="dialog-buttons">
        <button type="button" onClick={close}>
          Cancel
        </button>
        <button type="button" className="primary" ref={startButton} onClick={confirm}>
          {chosen.length > 0 ? `Start ${chosen.length + 1} services` : 'Start'}
        </button>
      </div>
    </Modal>
  );
}
