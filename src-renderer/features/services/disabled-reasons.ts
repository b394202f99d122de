import type { ServiceState, ServiceStatus } from '../../../src-shared/model/service';
import { canRestart, canStart, canStop } from './format';

/** Why a row action cannot be used now, by the service's state (null: it can). */
const NOT_INSTALLED = 'Not installed: say where its program is in Settings → Programs.';
const NEEDS_KEY = 'Waiting for its key: use Enter key… first.';
const HELD = 'Its keys are held back: use Retry first.';

const START_BLOCKED: Partial<Record<ServiceState, string>> = {
  ready: 'Already running.',
  starting: 'Already starting.',
  waiting: 'Already waiting to start; Stop cancels the wait.',
  backoff: 'Restarts by itself soon; Stop cancels that.',
  stopping: 'Stopping; Start is possible once it has stopped.',
  'not-installed': NOT_INSTALLED,
  'needs-key': NEEDS_KEY,
  held: HELD,
};

const STOP_BLOCKED: Partial<Record<ServiceState, string>> = {
  stopped: 'Not running.',
  failed: 'Not running: it failed (see the row).',
  stopping: 'Already stopping.',
  'not-installed': NOT_INSTALLED,
  'needs-key': 'Not running: waiting for its key.',
};

const RESTART_BLOCKED: Partial<Record<ServiceState, string>> = {
  stopped: 'Not running: use Start.',
  stopping: 'Stopping; use Start once it has stopped.',
  'not-installed': NOT_INSTALLED,
  'needs-key': NEEDS_KEY,
  held: HELD,
};

/** What a row's own requests in flight are ("Starting…", "Stopping…"), if any. */
export interface RowPending {
  start?: string | undefined;
  stop?: string | undefined;
}

/** Why Start, Stop and Restart of one row are disabled (null where the action can be used). */
export function rowActionReasons(
  service: ServiceStatus,
  pending: RowPending,
): { start: string | null; stop: string | null; restart: string | null } {
  return {
    start: pending.stop
      ? 'Stopping; Start is possible once it has stopped.'
      : pending.start
        ? 'Already starting.'
        : canStart(service)
          ? null
          : (START_BLOCKED[service.state] ?? 'Not possible in this state.'),
    stop: pending.stop
      ? 'Already stopping.'
      : canStop(service)
        ? null
        : (STOP_BLOCKED[service.state] ?? 'Not possible in this state.'),
    restart: pending.stop
      ? 'Stopping; use Start once it has stopped.'
      : canRestart(service)
        ? null
        : (RESTART_BLOCKED[service.state] ?? 'Not possible in this state.'),
  };
}

/** Why the stack header's Start all and Stop all are disabled (null where usable). */
export function stackActionReasons(input: {
  starting: boolean;
  stopping: boolean;
  installed: number;
  allUp: boolean;
  anyRunning: boolean;
}): { startAll: string | null; stopAll: string | null } {
  return {
    startAll: input.stopping
      ? 'Stopping the stack; Start all is possible once it has stopped.'
      : input.starting
        ? 'Already starting the stack.'
        : input.installed === 0
          ? 'Nothing is installed: say where the programs are in Settings → Programs.'
          : input.allUp
            ? 'Everything is already running or starting.'
            : null,
    stopAll: input.stopping
      ? 'Already stopping the stack.'
      : !input.anyRunning
        ? 'Nothing is running.'
        : null,
  };
}
