import { BusyLabel } from '../../components/busy-label';
import { staleSentence } from '../../stores/key-notices';
import { useSecrets } from '../../stores/secrets';
import { useServices } from '../../stores/services';
import type { StaleConsumer } from '../../../src-shared/model/secret';
import './secrets.css';

const NONE: StaleConsumer[] = [];

/**
 * Names every running service that still holds a key the user deleted, locked or replaced
 * (its environment keeps the value until it restarts), each with "Restart now". Shown over
 * every view; it goes away by itself once the service restarted or stopped.
 */
export function StaleKeysNotice() {
  const stale = useSecrets((s) => s.snapshot?.staleConsumers ?? NONE);
  const pending = useServices((s) => s.pending);
  const statuses = useServices((s) => s.snapshot?.services);
  const named = (id: string) => statuses?.find((s) => s.name === id)?.displayName ?? id;
  if (stale.length === 0) return null;
  const services = [...new Set(stale.map((c) => c.service))];
  return (
    <div className="banner warn stale-keys" role="status" data-field="stale-keys">
      {services.map((service) => {
        const busy = pending[`service:${service}:stop`];
        return (
          <div key={service} className="stale-key-row" data-service={service}>
            <p>
              {stale
                .filter((c) => c.service === service)
                .map((c) => staleSentence(c, named(service)))
                .join(' ')}
            </p>
            <div className="actions">
              <BusyLabel label={busy} />
              <button
                type="button"
                className="primary"
                disabled={busy !== undefined}
                aria-label={`Restart ${named(service)} now`}
                onClick={() => void useServices.getState().restart(service)}
              >
                Restart now
              </button>
            </div>
          </div>
        );
      })}
    </div>
  );
}
