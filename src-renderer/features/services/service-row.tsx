import { useRef, useState } from 'react';
import { BusyLabel } from '../../components/busy-label';
import { waitingHint, type ServiceStatus } from '../../../src-shared/model/service';
import { useServices } from '../../stores/services';
import { useSecrets } from '../../stores/secrets';
import { useNavigation } from '../../stores/navigation';
import { StatusPill } from './status-pill';
import { stateLabelFor } from './format';
import { formatBytes, formatCpu, formatUptime } from '../../../src-shared/model/format';
import { BINARY_SERVICES } from '../../../src-shared/model/settings';
import { needLabel, runtimeLabel } from '../../../src-shared/model/runtime';
import { plural } from '../../lib/intl';
import { useFocusRescue } from './use-focus-rescue';
import { rowActionReasons } from './disabled-reasons';
import { disabledBecause, WhyDisabled } from '../../components/why-disabled';
import { requestStart, requestStop } from './service-dialog';
import { stoppedByNote } from './dependents';

const PLACES = { one: 'place', other: 'places' } as const;

/** One service: state, pid, port, uptime, restarts, last error and its actions. */
export function ServiceRow({ service, now }: { service: ServiceStatus; now: number }) {
  // Only this service's own requests count: a Start all (or another row) waiting for a slow
  // service never locks this row nor puts words in it; its state comes from its own status.
  const startPending = useServices((s) => s.pending[`service:${service.name}`]);
  // Stop and Restart have their own busy flag: they cancel a start that is still in flight.
  const stopPending = useServices((s) => s.pending[`service:${service.name}:stop`]);
  const retrying = useServices((s) => s.pending['stack:retry'] !== undefined);
  // "Starting…" only while the pill cannot say it yet (its dependencies start first).
  const pending = stopPending ?? (service.state === 'stopped' ? startPending : undefined);
  const row = useRef<HTMLLIElement>(null);
  const focus = useFocusRescue(() => row.current);
  // Only a sample of the current child counts (a stopped service keeps no stale figures).
  const usage = useServices((s) =>
    service.pid !== null ? s.usage?.services[service.name] : undefined,
  );
  const { restart, retryAudit } = useServices.getState();
  // Every disabled action says why (tooltip + accessible description).
  const why = rowActionReasons(service, { start: startPending, stop: stopPending });
  const whyId = (action: string) => `why-${action}-${service.name}`;
  const [expanded, setExpanded] = useState(false);
  const uptime = service.readyAt ?? service.startedAt;
  const port = service.ports[0];
  const problem = service.lastError;
  const neededKeys = service.neededKeys ?? [];
  const needsKey = service.state === 'needs-key' && neededKeys.length > 0;
  // Keys held back: the journal cannot record their release; Retry tries it again.
  const held = service.state === 'held';
  const note = stoppedByNote(service);

  return (
    // tabIndex -1: the row itself takes focus when none of its actions can (never the body).
    <li
      ref={row}
      className="service"
      data-service={service.name}
      aria-label={service.displayName}
      tabIndex={-1}
    >
      <div className="service-main">
        <StatusPill
          state={service.state}
          // Found, but no Node it can run on: say which Node it needs, not "Not installed".
          label={
            service.state === 'not-installed' && service.runtimeNeeded
              ? needLabel(service.runtimeNeeded)
              : stateLabelFor(service)
          }
        />
        <div className="service-name">
          <span className="name">{service.displayName}</span>
          {!service.critical && <span className="tag">optional</span>}
          {service.program && (
            // Which program runs: "bundled 3.8.0" (the runner inside the app) or the path one
            // the user installed or set; a long path is cut here and whole in the tooltip.
            <span
              className="tag"
              data-field="program"
              title={service.program}
              style={{
                display: 'inline-block',
                verticalAlign: 'bottom',
                maxWidth: '32ch',
                overflow: 'hidden',
                textOverflow: 'ellipsis',
                whiteSpace: 'nowrap',
              }}
            >
              {service.program}
            </span>
          )}
          {service.runtime && (
            <span className="tag" data-field="runtime" title={service.runtime.path}>
              {runtimeLabel(service.runtime)}
            </span>
          )}
        </div>
        <dl className="facts">
          <div>
            <dt>PID</dt>
            <dd data-field="pid">{service.pid ?? '—'}</dd>
          </div>
          <div>
            <dt>Port</dt>
            <dd data-field="port">{port ? `:${port}` : '—'}</dd>
          </div>
          <div>
            <dt>Uptime</dt>
            <dd data-field="uptime">
              {service.state === 'ready' && uptime ? formatUptime(now - uptime) : '—'}
            </dd>
          </div>
          <div>
            <dt>Restarts</dt>
            <dd data-field="restarts">{service.restarts}</dd>
          </div>
          <div>
            <dt>CPU</dt>
            <dd data-field="cpu">
              {usage && usage.cpuPercent !== null ? formatCpu(usage.cpuPercent) : '—'}
            </dd>
          </div>
          <div>
            <dt>Memory</dt>
            <dd
              data-field="memory"
              title={usage ? `${usage.processes} process${usage.processes === 1 ? '' : 'es'}` : ''}
            >
              {usage ? formatBytes(usage.rssBytes) : '—'}
            </dd>
          </div>
        </dl>
        <div className="actions" ref={focus.ref} {...focus.bind}>
          <BusyLabel label={pending} />
          {needsKey && (
            <button
              type="button"
              className="primary"
              onClick={() => useSecrets.getState().openDialog(neededKeys[0]!, 'enter')}
              aria-label={`Enter key for ${service.displayName}`}
            >
              Enter key…
            </button>
          )}
          {held && (
            <button
              type="button"
              className="primary"
              onClick={() => void retryAudit()}
              disabled={retrying}
              aria-label={`Retry the audit journal for ${service.displayName}`}
            >
              Retry
            </button>
          )}
          <button
            type="button"
            onClick={() => requestStart(service.name)}
            {...disabledBecause(whyId('start'), why.start)}
            aria-label={`Start ${service.displayName}`}
          >
            Start
          </button>
          <WhyDisabled id={whyId('start')} reason={why.start} />
          <button
            type="button"
            onClick={() => requestStop(service.name)}
            {...disabledBecause(whyId('stop'), why.stop)}
            aria-label={`Stop ${service.displayName}`}
          >
            Stop
          </button>
          <WhyDisabled id={whyId('stop')} reason={why.stop} />
          <button
            type="button"
            onClick={() => void restart(service.name)}
            {...disabledBecause(whyId('restart'), why.restart)}
            aria-label={`Restart ${service.displayName}`}
          >
            Restart
          </button>
          <WhyDisabled id={whyId('restart')} reason={why.restart} />
          <button
            type="button"
            onClick={() => useNavigation.getState().showLogs(service.name)}
            aria-label={`Logs for ${service.displayName}`}
          >
            Logs
          </button>
        </div>
      </div>
      {service.state === 'not-installed' && (
        <details className="service-detail" data-field="searched">
          <summary>
            {service.runtimeNeeded
              ? `Its program was found; no Node that fits ${service.runtimeNeeded.range} in the ${plural(service.searched.length, PLACES)} looked at.`
              : `Not found after looking in ${plural(service.searched.length, PLACES)}. ${
                  (BINARY_SERVICES as readonly string[]).includes(service.name)
                    ? 'Install it, or set where it is in Settings → Programs.'
                    : 'Check its command in the stack file, then reload the stack file.'
                }`}
          </summary>
          <ul>
            {service.searched.map((place) => (
              <li key={place}>
                <code>{place}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
      {note && (
        <p className="service-detail hint" data-field="stopped-by">
          {note}
        </p>
      )}
      {service.state === 'waiting' && service.waitingFor && (
        <p className="service-detail hint" data-field="waiting-hint">
          {waitingHint(service.waitingFor)}
        </p>
      )}
      {problem && (
        <div className="service-detail error" data-field="last-error">
          <p className="error-text">{problem}</p>
          {service.lastLines.length > 0 && (
            <>
              <button
                type="button"
                className="link"
                aria-expanded={expanded}
                onClick={() => setExpanded(!expanded)}
              >
                {expanded ? 'Hide last output' : 'Show last output'}
              </button>
              {expanded && <pre className="last-lines">{service.lastLines.join('\n')}</pre>}
            </>
          )}
        </div>
      )}
    </li>
  );
}
