import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

// "Start at login" on Linux: Electron's setLoginItemSettings is macOS/Windows only, so the
// shell writes an XDG autostart entry (freedesktop.org Desktop Application Autostart spec),
// which GNOME, KDE, Xfce and the other desktops read at login. Plain Node, no Electron.

/** File name of the entry under `$XDG_CONFIG_HOME/autostart`. */
export const AUTOSTART_FILE = 'stigmer-local.desktop';

/** `$XDG_CONFIG_HOME/autostart`, defaulting to `~/.config/autostart` (relative values ignored, per the spec). */
export function autostartDir(env: NodeJS.ProcessEnv, homeDir: string): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(homeDir, '.config');
  return path.join(base, 'autostart');
}

/**
 * One argument of an Exec line: bare when it has only safe characters, else double-quoted with
 * `"`, `` ` ``, `$` and `\` backslash-escaped (Desktop Entry spec, "The Exec key"); `%` is a
 * field code there, so a literal one is doubled.
 */
export function quoteExecArg(arg: string): string {
  const literal = arg.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(literal)) return literal;
  return `"${literal.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** The Exec value as it is written in the file: string-value escaping doubles each backslash. */
export function execLine(argv: readonly string[]): string {
  return argv.map(quoteExecArg).join(' ').replace(/\\/g, '\\\\');
}

/** The autostart entry: the app, started hidden in the tray. */
export function autostartEntry(argv: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Stigmer Local',
    'Comment=Runs your local Stigmer stack from the tray',
    `Exec=${execLine(argv)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * What to run at login: the AppImage itself when running from one (its execPath is inside a
 * temporary mount), else the executable; always with `--hidden` (tray only, no window).
 */
export function autostartArgv(execPath: string, env: NodeJS.ProcessEnv): string[] {
  return [env.APPIMAGE && path.isAbsolute(env.APPIMAGE) ? env.APPIMAGE : execPath, '--hidden'];
}

/** Writes (atomically) or removes the entry. */
export async function setLinuxAutostart(
  enabled: boolean,
  opts: { env: NodeJS.ProcessEnv; homeDir: string; execPath: string },
): Promise<string> {
  const dir = autostartDir(opts.env, opts.homeDir);
  const file = path.join(dir, AUTOSTART_FILE);
  if (!enabled) {
    await rm(file, { force: true });
    return file;
  }
  await mkdir(dir, { recursive: true });
  const temp = `${file}.tmp`;
  await writeFile(temp, autostartEntry(autostartArgv(opts.execPath, opts.env)), { mode: 0o644 });
  await rename(temp, file);
  return file;
}
