import {
  waitingLabel,
  type ServiceState,
  type ServiceStatus,
  type StackState,
} from '../../../src-shared/model/service';

/** Words shown in a service's status pill. */
export const STATE_LABEL: Record<ServiceState, string> = {
  stopped: 'Stopped',
  starting: 'Starting',
  waiting: 'Waiting',
  ready: 'Ready',
  stopping: 'Stopping',
  backoff: 'Restarting soon',
  crashed: 'Crashed',
  failed: 'Failed',
  'not-installed': 'Not installed',
  'needs-key': 'Needs key',
  held: 'Keys held back',
};

/** Words for the stack header. */
export const STACK_LABEL: Record<StackState, string> = {
  stopped: 'Stopped',
  starting: 'Starting…',
  ready: 'Running',
  degraded: 'Degraded',
  failed: 'Failed',
};

/** The pill's words for one service: "Waiting for Temporal at 127.0.0.1:7233" while it waits. */
export function stateLabelFor(service: ServiceStatus): string {
  if (service.state === 'waiting' && service.waitingFor) return waitingLabel(service.waitingFor);
  return STATE_LABEL[service.state];
}

/** Start is offered when nothing of it runs or is on its way. */
export function canStart(s: ServiceStatus): boolean {
  return ['stopped', 'crashed', 'failed'].includes(s.state);
}

/** Stop is offered while anything of it runs or is on its way: it cancels a start or a wait at once. */
export function canStop(s: ServiceStatus): boolean {
  return ['starting', 'waiting', 'ready', 'backoff', 'crashed', 'held'].includes(s.state);
}

/** Restart is offered whenever it is not already going down (it also cancels a start or a wait). */
export function canRestart(s: ServiceStatus): boolean {
  return ['starting', 'waiting', 'ready', 'crashed', 'failed', 'backoff'].includes(s.state);
}
