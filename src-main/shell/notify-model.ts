import {
  waitingHint,
  waitingLabel,
  type ServiceStatus,
  type StackSnapshot,
} from '../../src-shared/model/service';

// Pure notification logic: which service transitions deserve a desktop notification. Only
// what needs the user and would otherwise go unseen while the window is closed: a service that
// gave up (failed: crash loop, or a start that cannot succeed such as a taken port) and one
// that waits for a key or for an address outside the stack (Temporal). Crashes the supervisor is still retrying, and anything the user just
// did (stopping), stay quiet.

/** One desktop notification; `service` lets a click open the window on it. */
export interface StackNotification {
  service: string;
  kind: 'failed' | 'needs-key' | 'waiting';
  title: string;
  body: string;
}

/** Longest body shown: notification centres cut long text anyway, and badly. */
const MAX_BODY = 180;

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= MAX_BODY ? oneLine : `${oneLine.slice(0, MAX_BODY - 1)}…`;
}

function failedBody(s: ServiceStatus): string {
  const last = s.lastLines.at(-1);
  // The explained cause first: the reason and the fix are what fits and what helps.
  if (s.failure) return shorten(`${s.failure.reason} ${s.failure.fix}`);
  if (s.lastError) return shorten(s.lastError);
  if (last) return shorten(`Last line: ${last}`);
  return 'It stopped and will not be restarted. Open Stigmer Local to see its logs.';
}

/**
 * The notifications for going from `prev` to `next` (null `prev`: the first snapshot, which
 * notifies about nothing — the state at launch is shown in the window and tray). A service is
 * announced once per entry into a state, never again while it stays there.
 */
export function notificationsFor(
  prev: StackSnapshot | null,
  next: StackSnapshot,
): StackNotification[] {
  if (prev === null) return [];
  const before = new Map(prev.services.map((s) => [s.name, s.state]));
  const out: StackNotification[] = [];
  // Services waiting behind one that waits for the same address are told once, by that one.
  const waitedFor = new Set<string>();
  for (const s of next.services) {
    const was = before.get(s.name);
    if (was === undefined || was === s.state) continue;
    if (s.state === 'failed') {
      out.push({
        service: s.name,
        kind: 'failed',
        title: `${s.displayName} stopped${s.critical ? '' : ' (optional)'}`,
        body: failedBody(s),
      });
    } else if (s.state === 'needs-key' && s.neededKeys.length > 0) {
      out.push({
        service: s.name,
        kind: 'needs-key',
        title: `${s.displayName} needs a key`,
        body: `Enter ${s.neededKeys.join(', ')} to start it. The key is only passed to the services that use it.`,
      });
    } else if (s.state === 'waiting' && s.waitingFor && !waitedFor.has(s.waitingFor.address)) {
      waitedFor.add(s.waitingFor.address);
      out.push({
        service: s.name,
        kind: 'waiting',
        title: `${s.displayName}: ${waitingLabel(s.waitingFor)}`,
        body: shorten(`It starts as soon as that address answers. ${waitingHint(s.waitingFor)}`),
      });
    }
  }
  return out;
}
