import type { ServiceState, StackState } from '../../../src-shared/model/service';

/** "2h 14m", "3m 05s", "12s". */
export function formatUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

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
};

/** Words for the stack header. */
export const STACK_LABEL: Record<StackState, string> = {
  stopped: 'Stopped',
  starting: 'Starting…',
  ready: 'Running',
  degraded: 'Degraded',
  failed: 'Failed',
};
