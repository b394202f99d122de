import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The platform's usual app-data folder for Stigmer Local (the Electron shell's userData too).
 * Its own small module so the CLI can name it without loading the core.
 */
export function defaultUserDataDir(): string {
  const home = homedir();
  if (process.platform === 'darwin') return join(home, 'Library/Application Support/Stigmer Local');
  if (process.platform === 'win32')
    return join(process.env.APPDATA ?? join(home, 'AppData/Roaming'), 'Stigmer Local');
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Stigmer Local');
}
