import type { Handlers } from '../../src-shared/ipc/handlers';
import type { CoreParts } from './app-core-parts';
import { verifyJournal } from './audit';
import { diagnosticsHandlers } from './diagnostics';
import { KeyImporter, keyImportHandlers } from './key-import';
import { createFingerprinter } from './secrets';

type ImportDiagnosticsChannels =
  'secrets:import-scan' | 'secrets:import' | 'diagnostics:save' | 'diagnostics:open-folder';

/** Help → Save diagnostics… and the Keys view's import: each in its own module (issue 13). */
export async function importAndDiagnosticsHandlers(
  parts: CoreParts,
): Promise<Pick<Handlers, ImportDiagnosticsChannels>> {
  const { options, secrets, recorder, supervisor, journal, logs, settings, keysSnapshot } = parts;
  const importer = new KeyImporter({
    homeDir: options.homeDir,
    userDataDir: options.userDataDir,
    fingerprint: await createFingerprinter(options.userDataDir),
    store: async (name, value) => {
      const change = await secrets.set(name, value, { remember: true });
      await recorder.settled();
      void supervisor.startWaiting().catch(() => undefined);
      return { remembered: change.info.remembered, notice: change.notice };
    },
    journal: async (input) => void (await recorder.record(input)),
    pickFile: options.pickEnvFile,
  });
  return {
    ...keyImportHandlers(importer, () => keysSnapshot()),
    ...diagnosticsHandlers({
      userDataDir: options.userDataDir,
      version: options.version,
      host: options.host,
      logDir: options.logDir,
      spec: () => parts.loaded().spec,
      stackFile: () => parts.loaded().file,
      statuses: () => supervisor.statuses(),
      settings: () => settings.get(),
      keys: () => secrets.list(),
      keychain: () => ({ ...keysSnapshot().keychain }),
      journal: () => journal.readAll(),
      verify: async () => {
        await recorder.settled();
        return verifyJournal(parts.auditDir, { openGap: recorder.openGap() });
      },
      redact: (text) => logs.redactLine(text),
      secrets: () => secrets.redactionList(),
      openPath: options.openPath,
    }),
  };
}
