import type { AuditInput, AuditType } from '../../src-shared/model/audit';
import type { LogLevel } from '../../src-shared/model/log';

/** What a service event looks like as a line in that service's log. */
const MARKERS: Partial<Record<AuditType, { text: string; level: LogLevel }>> = {
  'service.start-requested': { text: 'start requested', level: 'info' },
  'service.stop-requested': { text: 'stop requested', level: 'info' },
  'service.restart-requested': { text: 'restart requested', level: 'info' },
  'service.starting': { text: 'starting', level: 'info' },
  'service.restarting': { text: 'restarting', level: 'warn' },
  'service.ready': { text: 'ready', level: 'info' },
  'service.stopped': { text: 'stopped', level: 'info' },
  'service.crashed': { text: 'exited', level: 'error' },
  'service.crash-loop': { text: 'gave up (crash loop)', level: 'fatal' },
  'service.failed': { text: 'gave up', level: 'fatal' },
  'service.needs-key': { text: 'waiting for a key', level: 'warn' },
  'service.held': { text: 'keys held back', level: 'error' },
  'service.waiting': { text: 'waiting', level: 'warn' },
  'service.signal': { text: 'signal', level: 'warn' },
};

/**
 * The line Stigmer Local adds to a service's log for a service event it journals, or null for
 * other events: `── restarting (pid 4242) ──`, `── stop requested by the tray ──`,
 * `── exited (pid 4242): … ──`, `── SIGKILL to pid 4242 after 5 s grace: still running (user stop) ──`. Made when the event is recorded (not when it is on disk), so
 * it lands in the log before the new process's first line. The pipeline redacts it like any line.
 */
export function logMarkerFor(entry: AuditInput): { text: string; level: LogLevel } | null {
  const marker = entry.service ? MARKERS[entry.type] : undefined;
  if (!marker) return null;
  // The detail is the whole sentence: "── SIGTERM to pid 4242 (group): user stop ──".
  if (entry.type === 'service.signal')
    return { text: `── ${entry.detail ?? ''} ──`, level: marker.level };
  const pid =
    entry.pid != null && entry.type !== 'service.stopped' && !entry.type.endsWith('-requested')
      ? ` (pid ${entry.pid})`
      : '';
  const by = entry.actor === 'system' ? '' : ` by the ${entry.actor}`;
  const detail = entry.detail ? `: ${entry.detail}` : '';
  return { text: `── ${marker.text}${pid}${by}${detail} ──`, level: marker.level };
}
