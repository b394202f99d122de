import type { ServiceState } from '../../../src-shared/model/service';
import { STATE_LABEL } from './format';

/** Coloured pill for a service state; spins while the state is a transition. */
export function StatusPill({ state }: { state: ServiceState }) {
  const busy = state === 'starting' || state === 'stopping' || state === 'backoff';
  return (
    <span className={`pill pill-${state}`} data-state={state}>
      <span className={busy ? 'dot spin' : 'dot'} aria-hidden="true" />
      {STATE_LABEL[state]}
    </span>
  );
}
