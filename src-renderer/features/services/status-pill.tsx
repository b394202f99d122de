import type { ServiceState } from '../../../src-shared/model/service';
import { STATE_LABEL } from './format';

/**
 * Coloured pill for a service state; spins while the state is a transition. `label`, when given,
 * says more than the state's word ("Needs Node 22.13+").
 */
export function StatusPill({ state, label }: { state: ServiceState; label?: string | undefined }) {
  const busy =
    state === 'starting' || state === 'stopping' || state === 'backoff' || state === 'waiting';
  return (
    <span className={`pill pill-${state}`} data-state={state}>
      <span className={busy ? 'dot spin' : 'dot'} aria-hidden="true" />
      {label ?? STATE_LABEL[state]}
    </span>
  );
}
