// "Start at login" decisions per platform, pure (main.ts applies them with Electron's app API
// and linux-autostart.ts). Electron 45: `args` is Windows-only; on macOS 13+ login items are
// SMAppService items (`type: 'mainAppService'`), `openAsHidden`/`wasOpenedAsHidden` no longer
// exist and `wasOpenedAtLogin` is not reported for them, but `status` is.

/** The macOS SMAppService status of the login item, as getLoginItemSettings().status reports it. */
export type LoginItemStatus = 'not-registered' | 'enabled' | 'requires-approval' | 'not-found';

/** The argument a login item passes where the platform supports arguments (Windows, Linux). */
export const HIDDEN_ARG = '--hidden';

/**
 * Registering a login item from `npm start` would register the bare Electron binary (it would
 * open Electron's default app at login), so only a packaged build may. Returns the advice to
 * show, or null when allowed.
 */
export function loginItemRefusal(isPackaged: boolean): string | null {
  if (isPackaged) return null;
  return 'Start at login needs the installed app: this copy runs from the source tree (npm start), and the login item would start the bare Electron binary instead of Stigmer Local. Install a build from npm run dist and turn it on there';
}

/** The settings object for app.setLoginItemSettings on macOS and Windows. */
export function loginItemSettings(
  enabled: boolean,
  platform: NodeJS.Platform,
): { openAtLogin: boolean; type?: 'mainAppService'; args?: string[] } {
  if (platform === 'darwin') return { openAtLogin: enabled, type: 'mainAppService' };
  return { openAtLogin: enabled, args: enabled ? [HIDDEN_ARG] : [] };
}

/** What main.ts knows at startup to decide whether the login started us. */
export interface LaunchFacts {
  platform: NodeJS.Platform;
  argv: readonly string[];
  /** macOS only: getLoginItemSettings().wasOpenedAtLogin (false on macOS 13+ login items). */
  wasOpenedAtLogin?: boolean;
  /** macOS only: getLoginItemSettings().status. */
  status?: LoginItemStatus;
}

/**
 * True when the app was started by the login item and should stay in the tray without a
 * window. Windows and Linux pass `--hidden`. macOS cannot pass arguments: `wasOpenedAtLogin`
 * when it is reported (before macOS 13), else an enabled login item: whoever turned "Start at
 * login" on chose the menu bar, so a manual launch then also starts there (its menu opens the
 * dashboard, and opening the app again shows it), where a window at every login is the worse
 * error.
 */
export function startedAtLogin(facts: LaunchFacts): boolean {
  if (facts.argv.includes(HIDDEN_ARG)) return true;
  if (facts.platform !== 'darwin') return false;
  if (facts.wasOpenedAtLogin === true) return true;
  return facts.status === 'enabled';
}

/** The line Settings shows under "Start at login" for a macOS status that needs the user. */
export function loginItemNote(status: LoginItemStatus | undefined): string | null {
  if (status === 'requires-approval') {
    return 'macOS is waiting for your approval: open System Settings → General → Login Items and allow Stigmer Local.';
  }
  if (status === 'not-found') {
    return 'macOS could not find the login item; move Stigmer Local to Applications and turn this on again.';
  }
  return null;
}
