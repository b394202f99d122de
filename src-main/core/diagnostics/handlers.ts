import { join } from 'node:path';
import type { Handlers } from '../../../src-shared/ipc/handlers';
import { collectDiagnostics, type DiagnosticsSources } from './collect';
import { writeBundle } from './bundle';

/** What `diagnostics:save` needs besides the sources: where the bundle goes, the secret values. */
export interface DiagnosticsDeps extends DiagnosticsSources {
  userDataDir: string;
  /** Every secret value known now (the redactor's list), for the final scan. */
  secrets: () => readonly { name: string; value: string }[];
}

/** The `diagnostics:save` handler: collect, scan, pack into <userData>/diagnostics/. */
export function diagnosticsHandlers(deps: DiagnosticsDeps): Pick<Handlers, 'diagnostics:save'> {
  return {
    'diagnostics:save': async () => {
      const files = await collectDiagnostics(deps);
      const saved = await writeBundle({
        dir: join(deps.userDataDir, 'diagnostics'),
        files,
        secrets: deps.secrets(),
      });
      return { path: saved.path, bytes: saved.bytes, files: saved.files };
    },
  };
}
