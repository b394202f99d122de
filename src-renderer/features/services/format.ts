import type { ServiceState, StackState } from '../../../src-shared/model/service';

/** Words shown in a service's status pill. */
export const STATE_LABEL: Record<ServiceState, string> = {
  stopped: 'Stopped',
  starting: 'Starting',
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
