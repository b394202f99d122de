import type { Handlers } from '../../../src-shared/ipc/handlers';
import { unavailableStatus } from '../../../src-shared/model/updates';
import type { UpdatesHost } from './types';

/** Said where no updater exists: the browser host (development, e2e, CI). */
export const NO_UPDATER_REASON =
  'Updates come with the desktop app; this window is served by the browser host, which runs the code it was started from.';

type UpdateChannels = 'updates:status' | 'updates:check' | 'updates:install';

/** The `updates:*` handlers: the host's updater, or an honest "not available here". */
export function updateHandlers(
  host: UpdatesHost | undefined,
  version: string,
): Pick<Handlers, UpdateChannels> {
  if (!host) {
    const status = async () => unavailableStatus(version, NO_UPDATER_REASON);
    return { 'updates:status': status, 'updates:check': status, 'updates:install': status };
  }
  return {
    'updates:status': async () => host.status(),
    'updates:check': () => host.check(),
    'updates:install': () => host.install(),
  };
}
