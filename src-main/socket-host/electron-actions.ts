import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CliInstallResult } from '../../src-shared/ipc/contract';
import { browserCliAdvice, installCliLink } from './cli-install';

/**
 * `cli:install` in the desktop app: link the launcher shipped in resources/bin (it runs the
 * CLI with the app's own Node). A development run has no launcher: it names dist/main/cli.js.
 */
export function electronCliInstall(
  packaged: boolean,
  mainDir: string,
  resourcesPath: string,
): Promise<CliInstallResult> {
  if (!packaged) return Promise.resolve(browserCliAdvice(join(mainDir, 'cli.js')));
  const name = process.platform === 'win32' ? 'stigmer-local.cmd' : 'stigmer-local';
  return installCliLink({
    platform: process.platform,
    homeDir: homedir(),
    launcher: join(resourcesPath, 'resources', 'bin', name),
    pathEnv: process.env.PATH ?? '',
  });
}
