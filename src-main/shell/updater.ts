import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from 'electron';
import electronUpdater, { type AppUpdater, type BaseUpdater } from 'electron-updater';
import { InstallMarker, UpdateController, updatesAvailability } from '../core/updates';

// The Electron side of updates: electron-updater's `autoUpdater` for this platform (NSIS on
// Windows, Squirrel.Mac through MacUpdater, AppImage or deb on Linux) handed to the core's
// UpdateController, and the install at the end of the quit flow, after the stack has stopped.

/** Set by vite.main.config.ts from the build's environment (release builds only). */
declare const __STIGMER_LOCAL_UPDATES__: boolean | undefined;
/** A generic feed URL baked in at build time, instead of app-update.yml's GitHub releases. */
declare const __STIGMER_LOCAL_UPDATE_URL__: string | undefined;

const releaseBuild = typeof __STIGMER_LOCAL_UPDATES__ === 'boolean' && __STIGMER_LOCAL_UPDATES__;
const bakedFeedUrl =
  typeof __STIGMER_LOCAL_UPDATE_URL__ === 'string' ? __STIGMER_LOCAL_UPDATE_URL__ : '';

/** What the shell does with updates. */
export interface ShellUpdater {
  /** The core's view (passed to createAppCore as `updates`). */
  readonly controller: UpdateController;
  /**
   * True once the platform's installer owns quitting (macOS "Restart now": Squirrel quits and
   * relaunches the app); the quit flow must then let its before-quit through.
   */
  readonly handingOver: boolean;
  /**
   * Called by the quit flow once the stack is stopped, instead of exiting at once: runs the
   * installer for a pending update. Returns false when the installer will end the process.
   */
  beforeExit(code: number): boolean;
}

function packageType(resourcesPath: string): string | null {
  try {
    return readFileSync(path.join(resourcesPath, 'package-type'), 'utf8').trim() || null;
  } catch {
    return null; // not a deb/rpm/pacman install
  }
}

/** Build the updater for this app; inert (status says why) where updates cannot happen. */
export function createShellUpdater(deps: {
  app: App;
  log: (message: string) => void;
}): ShellUpdater {
  const { app, log } = deps;
  const resourcesPath = process.resourcesPath ?? '';
  const reason = updatesAvailability({
    packaged: app.isPackaged,
    releaseBuild,
    hasFeed: bakedFeedUrl !== '' || existsSync(path.join(resourcesPath, 'app-update.yml')),
    platform: process.platform,
    appImage: process.env.APPIMAGE,
    packageType: packageType(resourcesPath),
  });
  let updater: AppUpdater | null = null;
  if (!reason) {
    updater = electronUpdater.autoUpdater;
    if (bakedFeedUrl) updater.setFeedURL({ provider: 'generic', url: bakedFeedUrl });
    // NSIS, AppImage and deb install from beforeExit below, after the stack has stopped, not from
    // electron-updater's own 'quit' handler. Squirrel.Mac stages the update itself and installs
    // it when the app exits, so it keeps its default.
    if (process.platform !== 'darwin') updater.autoInstallOnAppQuit = false;
  }
  let handingOver = false;
  const controller = new UpdateController({
    updater,
    unavailableReason: reason,
    currentVersion: app.getVersion(),
    marker: new InstallMarker(app.getPath('userData')),
    // The tray's Quit path: before-quit -> the quit flow stops the stack -> beforeExit.
    quitForInstall: () => app.quit(),
    log,
  });
  if (reason) log(`Updates: ${reason}`);

  return {
    controller,
    get handingOver() {
      return handingOver;
    },
    beforeExit(code) {
      controller.dispose();
      if (!updater || code !== 0) return true;
      const pending = controller.pendingInstall();
      if (!pending) return true;
      try {
        if (process.platform === 'darwin') {
          if (!pending.restart) return true; // Squirrel.Mac installs the staged update on exit
          handingOver = true;
          log(`Handing over to Squirrel.Mac to install ${pending.version} and relaunch.`);
          updater.quitAndInstall();
          // If Squirrel never quits us (it had not staged the file yet), exit: it installs then.
          setTimeout(() => app.exit(0), 15_000).unref();
          return false;
        }
        log(`Installing ${pending.version}${pending.restart ? ' and relaunching' : ''}.`);
        // Silent: the user already chose (Restart now, or quit with an update ready).
        (updater as BaseUpdater).install(true, pending.restart);
      } catch (error) {
        log(
          `Installing the update failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return true;
    },
  };
}
