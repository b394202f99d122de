import type {
  EventPayload,
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
} from '../../src-shared/ipc/contract';
import type { StackSnapshot } from '../../src-shared/model/service';
import type { SecretsSnapshot } from '../../src-shared/model/secret';

/** An invoke that failed: carries the main process's advice message. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function invoke<C extends InvokeChannel>(
  channel: C,
  args: InvokeArgs<C>,
): Promise<InvokeResult<C>> {
  const result = await window.stigmer.invoke(channel, args);
  if (!result.ok) throw new ApiError(result.error.code, result.error.message);
  return result.value;
}

/** The only module that touches window.stigmer: named, typed calls. */
export const api = {
  appInfo: () => invoke('app:info', undefined),
  snapshot: () => invoke('stack:snapshot', undefined),
  startStack: () => invoke('stack:start', undefined),
  stopStack: () => invoke('stack:stop', undefined),
  reloadStack: () => invoke('stack:reload', undefined),
  startService: (name: string) => invoke('services:start', { name }),
  stopService: (name: string) => invoke('services:stop', { name }),
  restartService: (name: string) => invoke('services:restart', { name }),
  onServicesChanged: (listener: (s: EventPayload<'services:changed'>) => void) =>
    window.stigmer.on('services:changed', listener),
  onServicesUsage: (listener: (u: EventPayload<'services:usage'>) => void) =>
    window.stigmer.on('services:usage', listener),
  secretsSnapshot: () => invoke('secrets:snapshot', undefined),
  /** Sends the value to main once; it never comes back (only metadata does). */
  setSecret: (name: string, value: string, remember: boolean, requireTouchId: boolean) =>
    invoke('secrets:set', { name, value, remember, requireTouchId }),
  getSettings: () => invoke('settings:get', undefined),
  setSettings: (change: InvokeArgs<'settings:set'>) => invoke('settings:set', change),
  /** Desktop app only: a native file dialog; the chosen path, or null when cancelled. */
  pickProgram: (service: InvokeArgs<'settings:pick-program'>['service']) =>
    invoke('settings:pick-program', { service }),
  rotateSecret: (name: string, value: string, remember: boolean, requireTouchId: boolean) =>
    invoke('secrets:rotate', { name, value, remember, requireTouchId }),
  deleteSecret: (name: string) => invoke('secrets:delete', { name }),
  lockSecrets: () => invoke('secrets:lock', undefined),
  onSecretsChanged: (listener: (s: EventPayload<'secrets:changed'>) => void) =>
    window.stigmer.on('secrets:changed', listener),
  /** Takes (and clears) the tray's request to open the key dialog, if there is one. */
  takeKeyDialogRequest: () => invoke('ui:take-key-dialog-request', undefined),
  onKeyDialogRequested: (listener: () => void) =>
    window.stigmer.on('ui:key-dialog-requested', listener),
  /** The buffered tail of one service (or all services merged by time when `service` is null). */
  logsTail: (service: string | null, limit: number) => invoke('logs:tail', { service, limit }),
  openLogFolder: () => invoke('logs:open-folder', undefined),
  /** New, already redacted lines, batched by main (at most ~60 batches a second). */
  onLogLines: (listener: (batch: EventPayload<'logs:lines'>) => void) =>
    window.stigmer.on('logs:lines', listener),
  /** Journal entries, newest first, matching the filter (at most `limit`), plus the match count. */
  auditList: (filter: InvokeArgs<'audit:list'>) => invoke('audit:list', filter),
  /** Re-computes the hash chain: OK with the entry count, or the first bad entry and why. */
  auditVerify: () => invoke('audit:verify', undefined),
  /** Tries the audit journal again and starts the services whose keys were held back. */
  auditRetry: () => invoke('audit:retry', undefined),
  /** The app's own update (found, downloading, ready, deferred); 'unavailable' says why. */
  /** Settings → Command line tool: link `stigmer-local` onto PATH, or how to run it. */
  installCli: () => invoke('cli:install', undefined),
  updatesStatus: () => invoke('updates:status', undefined),
  checkForUpdates: () => invoke('updates:check', undefined),
  /** "Restart now": refused with the reason while a rotation or a start is in flight. */
  installUpdate: () => invoke('updates:install', undefined),
  onUpdatesChanged: (listener: (status: EventPayload<'updates:changed'>) => void) =>
    window.stigmer.on('updates:changed', listener),
  /** Each entry as it is appended to the journal (already on disk). */
  onAuditAppended: (listener: (entry: EventPayload<'audit:appended'>) => void) =>
    window.stigmer.on('audit:appended', listener),
  /** Help → Save diagnostics…: a redacted .tar.gz in the data folder; where it is, its size. */
  saveDiagnostics: () => invoke('diagnostics:save', undefined),
  openDiagnosticsFolder: () => invoke('diagnostics:open-folder', undefined),
  /** Provider keys left in plain text (names, lines, fingerprints; never values). */
  scanImport: (args: InvokeArgs<'secrets:import-scan'>) => invoke('secrets:import-scan', args),
  importKeys: (ids: string[], removeFromFile: boolean) =>
    invoke('secrets:import', { ids, removeFromFile }),
};

export type { StackSnapshot, SecretsSnapshot };
