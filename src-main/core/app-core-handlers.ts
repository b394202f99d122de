import { UserError } from '../../src-shared/model/errors';
import type { KeyDialogRequest } from '../../src-shared/model/secret';
import type { Handlers } from '../../src-shared/ipc/handlers';
import type { AppCore } from './app-core-types';
import type { CoreParts } from './app-core-parts';
import { knownService } from './app-core-actions';
import { keyHandlers } from './app-core-keys';
import { logTail } from './log-service';
import { filterEntries, verifyJournal } from './audit';
import { updateHandlers } from './updates';

/** Handlers built elsewhere that slot in among the others (issue 13's import and diagnostics). */
export type ExtraHandlers = Pick<
  Handlers,
  'secrets:import-scan' | 'secrets:import' | 'diagnostics:save' | 'diagnostics:open-folder'
>;

/** Every IPC handler both hosts route to, per domain, wired to the core's parts. */
export function coreHandlers(
  parts: CoreParts,
  core: AppCore,
  extra: ExtraHandlers,
  /** Takes (and clears) the tray's last "Rotate…" until a window takes it. */
  takeKeyDialogRequest: () => KeyDialogRequest | null,
): Handlers {
  const { options, settings, loader, supervisor, recorder, journal, logs, auditDir } = parts;
  const hostAction = (what: string) => {
    if (options.hostActions) return options.hostActions;
    throw new UserError('failed', `${what} is not something this host can do.`);
  };
  return {
    'app:info': async () => ({
      version: options.version,
      platform: process.platform,
      host: options.host,
      userDataDir: options.userDataDir,
      logDir: options.logDir,
      canLaunchAtLogin: options.setLaunchAtLogin !== undefined,
      canPickFiles: options.pickProgram !== undefined,
      loginItemNote: options.loginItemNote?.() ?? null,
    }),
    'stack:snapshot': async () => parts.snapshot(),
    ...updateHandlers(options.updates, options.version),
    'stack:start': () => core.startStack('window'),
    'stack:stop': () => core.stopStack('window'),
    'stack:reload': () => parts.reloadStack(),
    'services:start': ({ name }) => core.startService(name, 'window'),
    'services:stop': ({ name }) => core.stopService(name, 'window'),
    'services:restart': ({ name }) => core.restartService(name, 'window'),
    'logs:tail': async ({ service, limit }) => {
      const names = service ? [service] : parts.loaded().spec.services.map((s) => s.name);
      if (service) knownService(supervisor, service);
      return { lines: await logTail(logs, options.logDir, parts.runStartedAt, names, limit) };
    },
    'logs:open-folder': async () => ({
      path: options.logDir,
      opened: options.openPath ? await options.openPath(options.logDir) : false,
    }),
    'audit:list': async ({ limit, ...filter }) => {
      const entries = filterEntries(await journal.readAll(), filter).reverse();
      return { entries: entries.slice(0, limit), total: entries.length };
    },
    'audit:verify': async () => {
      await recorder.settled();
      return verifyJournal(auditDir, { openGap: recorder.openGap() });
    },
    'audit:retry': () => core.retryAudit('window'),
    'settings:get': async () => settings.get(),
    'settings:set': async (change) => {
      if (change.launchAtLogin === true && !options.setLaunchAtLogin) {
        throw new UserError(
          'bad-arguments',
          'Start at login needs the desktop app; this window is served by the browser host.',
        );
      }
      const setLogin = options.setLaunchAtLogin;
      // One transaction, queued behind other saves: validate, the login item (the OS side: the
      // setting only says "on" once it really exists), settings.json; if the file cannot be
      // written the login item is put back. Memory and the vault follow only after that.
      const next = await settings.update(change, async (_next, previous) => {
        const wanted = change.launchAtLogin;
        if (wanted === undefined || !setLogin) return;
        try {
          await setLogin(wanted);
        } catch (error) {
          throw new UserError(
            'failed',
            `Could not ${wanted ? 'add' : 'remove'} the login item: ${error instanceof Error ? error.message : String(error)}.`,
          );
        }
        return () => setLogin(previous.launchAtLogin);
      });
      parts.applySettings(settings.get());
      // A program located (or un-located) in Settings: look for the binaries again now.
      if (change.binaries !== undefined) {
        loader.setBinarySettings(next.binaries);
        await parts.reloadStack();
      }
      return next;
    },
    'settings:pick-program': async ({ service }) => {
      if (!options.pickProgram) {
        throw new UserError(
          'bad-arguments',
          'Locating a program needs the desktop app; type its full path instead.',
        );
      }
      return options.pickProgram(service);
    },
    ...keyHandlers(parts, core),
    ...extra,
    'app:quit': async () => {
      const actions = hostAction('Quitting');
      setImmediate(() => actions.quit()); // after the reply is on its way
      return { quitting: true as const };
    },
    'app:show': () => hostAction('Showing the window').show(),
    'cli:install': () => hostAction('Installing the command line tool').installCli(),
    'ui:take-key-dialog-request': async () => takeKeyDialogRequest(),
  };
}
