import { useLayoutEffect, useRef, useState } from 'react';
import { BusyLabel } from '../../components/busy-label';
import { waitingHint, type ServiceStatus } from '../../../src-shared/model/service';
import { useServices } from '../../stores/services';
import { useSecrets } from '../../stores/secrets';
import { useNavigation } from '../../stores/navigation';
import { StatusPill } from './status-pill';
import { canRestart, canStart, canStop, stateLabelFor } from './format';
import { formatBytes, formatCpu, formatUptime } from '../../../src-shared/model/format';
import { BINARY_SERVICES } from '../../../src-shared/model/settings';
import { needLabel, runtimeLabel } from '../../../src-shared/model/runtime';
import { plural } from '../../lib/intl';

const PLACES = { one: 'place', other: 'places' } as const;

/**
 * Keeps keyboard focus in the row when the focused button becomes disabled under the user
 * (Stop pressed: it disables itself): focus moves to the next enabled button, else the previous.
 */
function useFocusRescue() {
  const actions = useRef<HTMLDivElement>(null);
  const focused = useRef<HTMLButtonElement | null>(null);
  useLayoutEffect(() => {
    const button = focused.current;
    const box = actions.current;
    if (!button || !box || !button.disabled) return;
    const active = button.ownerDocument.activeElement;
    if (active !== button && active !== button.ownerDocument.body && active !== null) return;
    const buttons = [...box.querySelectorAll('button')];
    const at = buttons.indexOf(button);
    const next =
      buttons.slice(at + 1).find((b) => !b.disabled) ??
      buttons
        .slice(0, Math.max(at, 0))
        .reverse()
        .find((b) => !b.disabled);
    focused.current = next ?? null;
    next?.focus();
  });
  return {
    ref: actions,
    onFocus: (e: React.FocusEvent) => {
      if (e.target instanceof HTMLButtonElement) focused.current = e.target;
    },
    onBlur: (e: React.FocusEvent) => {
      // A button that loses focus because it was disabled has no next target: remember it.
      const to = e.relatedTarget;
      if (to instanceof Node && !actions.current?.contains(to)) focused.current = null;
    },
  };
}

/** One service: state, pid, port, uptime, restarts, last error and its actions. */
export function ServiceRow({ service, now }: { service: ServiceStatus; now: number }) {
  const startPending = useServices((s) => s.pending[`service:${service.name}`] ?? s.pending.stack);
  // Stop and Restart have their own busy flag: they cancel a start that is still in flight.
  const stopPending = useServices((s) => s.pending[`service:${service.name}:stop`]);
  const pending = stopPending ?? startPending;
  const focus = useFocusRescue();
  // Only a sample of the current child counts (a stopped service keeps no stale figures).
  const usage = useServices((s) =>
    service.pid !== null ? s.usage?.services[service.name] : undefined,
  );
  const { start, stop, restart, retryAudit } = useServices.getState();
  const [expanded, setExpanded] = useState(false);
  const busy = pending !== undefined;
  const uptime = service.readyAt ?? service.startedAt;
  const port = service.ports[0];
  const problem = service.lastError;
  const neededKeys = service.neededKeys ?? [];
  const needsKey = service.state === 'needs-key' && neededKeys.length > 0;
  // Keys held back: the journal cannot record their release; Retry tries it again.
  const held = service.state === 'held';

  return (
    <li className="service" data-service={service.name} aria-label={service.displayName}>
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
        <div className="actions" ref={focus.ref} onFocus={focus.onFocus} onBlur={focus.onBlur}>
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
              disabled={busy}
              aria-label={`Retry the audit journal for ${service.displayName}`}
            >
              Retry
            </button>
          )}
          <button
            type="button"
            onClick={() => void start(service.name)}
            disabled={busy || !canStart(service)}
            aria-label={`Start ${service.displayName}`}
          >
            Start
          </button>
          <button
            type="button"
            onClick={() => void stop(service.name)}
            disabled={stopPending !== undefined || !canStop(service)}
            aria-label={`Stop ${service.displayName}`}
          >
            Stop
          </button>
          <button
            type="button"
            onClick={() => void restart(service.name)}
            disabled={stopPending !== undefined || !canRestart(service)}
            aria-label={`Restart ${service.displayName}`}
          >
            Restart
          </button>
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
