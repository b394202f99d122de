import { join } from 'node:path';
import type { Handlers } from '../../../src-shared/ipc/handlers';
import { ensurePrivateDir } from '../private-files';
import { collectDiagnostics, type DiagnosticsSources } from './collect';
import { writeBundle } from './bundle';

/** What `diagnostics:save` needs besides the sources: where the bundle goes, the secret values. */
export interface DiagnosticsDeps extends DiagnosticsSources {
  userDataDir: string;
  /** Every secret value known now (the redactor's list), for the final scan. */
  secrets: () => readonly { name: string; value: string }[];
  /** Opens a folder in the system file manager (the desktop app); absent = cannot. */
  openPath?: (path: string) => Promise<boolean>;
}

/** `diagnostics:save` (collect, scan, pack into <userData>/diagnostics/) and its folder. */
export function diagnosticsHandlers(
  deps: DiagnosticsDeps,
): Pick<Handlers, 'diagnostics:save' | 'diagnostics:open-folder'> {
  const dir = join(deps.userDataDir, 'diagnostics');
  return {
    'diagnostics:save': async () => {
      const files = await collectDiagnostics(deps);
      const saved = await writeBundle({ dir, files, secrets: deps.secrets() });
      return { path: saved.path, bytes: saved.bytes, files: saved.files };
    },
    'diagnostics:open-folder': async () => {
      await ensurePrivateDir(dir);
      return { path: dir, opened: deps.openPath ? await deps.openPath(dir) : false };
    },
  };
}
