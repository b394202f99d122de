import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Notification,
  app,
  dialog,
  ipcMain,
  net,
  powerMonitor,
  protocol,
  session,
  shell,
  systemPreferences,
} from 'electron';
import { INVOKE_CHANNELS, type EventPayload } from '../../src-shared/ipc/contract';
import { createAppCore } from '../core/app-core';
import { InstanceLockedError, acquireInstanceLock, type InstanceLock } from '../core/instance-lock';
import type { AppCore } from '../core/app-core-types';
import { createRouter } from '../ipc/router';
import { startSocketHost } from '../socket-host/server';
import { electronCliInstall } from '../socket-host/electron-actions';
import { APP_SCHEME_PRIVILEGES, serveAppProtocol } from './app-protocol';
import { RENDERER_URL } from './app-url';
import { createQuitFlow } from './quit-flow';
import { applySecurity, isTrustedSenderUrl } from './security';
import { createTouchIdGate } from './touch-id';
import { createStackTray } from './tray';
import type { TrayActions } from './tray-model';
import { notificationsFor } from './notify-model';
import { setLinuxAutostart } from './linux-autostart';
import {
  NotificationKeeper,
  createReadyGate,
  createSignalController,
  startupFailureMessage,
  writeStartupFailure,
  type LifePhase,
} from './lifecycle';
import { loginItemNote, loginItemRefusal, loginItemSettings, startedAtLogin } from './login-item';
import { fixMacPath } from './shell-path';
import type { StackSnapshot } from '../../src-shared/model/service';
import { createDashboard } from './windows';
import { createShellUpdater, type ShellUpdater } from './updater';

// Electron entry (bundled to dist/main/main.js). The composition root of the shell: every
// runtime electron import lives here, in windows.ts and in tray.ts; the rest is pure.

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/main (or app.asar/dist/main)
const preloadPath = path.join(here, 'preload.cjs');
const rendererDir = path.join(here, '..', 'renderer');
const resourcesDir = app.isPackaged
  ? path.join(process.resourcesPath, 'resources')
  : path.join(here, '..', '..', 'resources');
const APP_ID = 'dev.stigmer.local';

function log(message: string): void {
  console.log(`[shell] ${message}`);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Before ready: these only take effect if called before the app is ready.
// The name in menus ("Quit Stigmer Local"), notifications and the default paths; userData is
// pinned to the directory the browser host uses (run.ts), so both hosts share one data dir and
// one instance lock whatever name the package carries.
app.setName('Stigmer Local');
if (!app.commandLine.hasSwitch('user-data-dir')) {
  app.setPath('userData', path.join(app.getPath('appData'), 'Stigmer Local'));
}
app.enableSandbox(); // checklist #4 for every renderer, including ones we did not create
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
if (process.platform === 'win32') app.setAppUserModelId(APP_ID); // notifications + taskbar grouping

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the stack; it shows its window on 'second-instance'.
  app.quit();
} else {
  let core: AppCore | null = null;
  let instanceLock: InstanceLock | null = null;
  let updater: ShellUpdater | null = null;
  const quitFlow = createQuitFlow({
    shutdown: () => (core?.shutdown() ?? Promise.resolve()).finally(() => instanceLock?.release()),
    // A pending update installs here, after the stack has stopped (updater.ts).
    exit: (code) => {
      if (updater?.beforeExit(code) ?? true) app.exit(code);
    },
    log,
  });
  const dashboard = createDashboard({
    preloadPath,
    iconPath: path.join(resourcesDir, 'icon.png'),
    isQuitting: () => quitFlow.quitting,
    // Windows logoff/shutdown: best effort, the OS ends the session right after this event.
    onSessionEnd: () => {
      log('The Windows session is ending: stopping the stack.');
      app.quit();
    },
  });

  app.on('before-quit', (event) => {
    // macOS "Restart now": Squirrel.Mac quits and relaunches once the stack has stopped.
    if (updater?.handingOver) return;
    quitFlow.onBeforeQuit(event);
  });
  // A tray app: closing the last window must not quit (listening at all disables the default).
  app.on('window-all-closed', () => undefined);
  // A window opened before the IPC handlers exist would fail its first calls: a second launch
  // or a Dock click during startup waits behind the gate, opened once the handlers are in place.
  const ready = createReadyGate();
  app.on('second-instance', () => ready.whenReady(() => dashboard.show()));
  app.on('activate', () => ready.whenReady(() => dashboard.show())); // macOS: app opened again

  // Ctrl+C on `npm start`, kill, a closed terminal: the same graceful quit as the tray's Quit
  // (these handlers replace Electron's one-shot SIGINT handling). See lifecycle.ts.
  let started = false;
  const phase = (): LifePhase =>
    quitFlow.quitting ? 'quitting' : started ? 'running' : 'starting';
  const signals = createSignalController({
    phase,
    quit: () => app.quit(),
    force: (code) => app.exit(code),
    log,
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => signals.onSignal(signal));
  }
  const startupSettled = () => {
    started = true;
    signals.startupSettled();
  };

  app
    .whenReady()
    .then(async () => {
      // Menu-bar app on macOS: no Dock icon until the dashboard is shown (windows.ts).
      if (process.platform === 'darwin') app.dock?.hide();
      // Shutdown or logout: stop the stack before the OS kills us (Linux and macOS can delay
      // it; Windows has no before-quit then, the dashboard's 'session-end' covers it).
      // Electron passes an event with preventDefault (docs); its typings omit the parameter.
      powerMonitor.on('shutdown', (event?: { preventDefault?: () => void }) => {
        event?.preventDefault?.();
        log('The system is shutting down: stopping the stack.');
        app.quit();
      });
      // Finder, the Dock and login items give launchd's short PATH; children need the user's.
      log(await fixMacPath(process.platform, process.env));
      serveAppProtocol(protocol, rendererDir, (url) => net.fetch(url));
      applySecurity({
        app,
        session: session.defaultSession,
        openExternal: (url) => shell.openExternal(url),
        log,
      });

      // One instance per data dir for every host (the browser host takes the same lock), and
      // before the core reclaims leftovers, so another host's live stack is never taken for one.
      try {
        instanceLock = await acquireInstanceLock({
          userDataDir: app.getPath('userData'),
          host: 'electron',
        });
      } catch (error) {
        if (!(error instanceof InstanceLockedError)) throw error;
        log(error.message);
        dialog.showErrorBox('Stigmer Local is already running', error.message);
        app.exit(3);
        return;
      }
      const heldLock = instanceLock;
      process.on('exit', () => heldLock.releaseSync()); // a crash too; kill -9 leaves it stale

      const shellUpdater = createShellUpdater({ app, log });
      updater = shellUpdater;
      core = await createAppCore({
        userDataDir: app.getPath('userData'),
        logDir: app.getPath('logs'),
        env: process.env,
        host: 'electron',
        version: app.getVersion(),
        // Electron is also a Node (its own version): a candidate for Node programs whose range
        // it satisfies, run with ELECTRON_RUN_AS_NODE=1 in that child's env only.
        nodeExecutable: process.execPath,
        nodeEnv: { ELECTRON_RUN_AS_NODE: '1' },
        nodeVersion: process.versions.node,
        homeDir: app.getPath('home'),
        // The runner the app carries (scripts/stage-runner.mjs), outside the asar; unpackaged
        // (npm start) the staged build/runner, when `npm run runner:stage` made one.
        bundledRunnerDir: app.isPackaged
          ? path.join(process.resourcesPath, 'runner')
          : path.join(here, '..', '..', 'build', 'runner'),
        openPath: async (dir) => (await shell.openPath(dir)) === '',
        // Settings → Programs → Locate…: a native open dialog, attached to the window.
        pickProgram: async (service) => {
          const options = {
            title: `Locate ${service}`,
            buttonLabel: 'Use this program',
            properties: ['openFile', 'showHiddenFiles'] as ('openFile' | 'showHiddenFiles')[],
          };
          const win = dashboard.window();
          const picked = win
            ? await dialog.showOpenDialog(win, options)
            : await dialog.showOpenDialog(options);
          return picked.canceled ? null : (picked.filePaths[0] ?? null);
        },
        // Keys → Import from files… → Choose file…: the .env to scan for plain-text keys.
        pickEnvFile: async () => {
          const options = {
            title: 'Choose a .env file',
            buttonLabel: 'Scan this file',
            properties: ['openFile', 'showHiddenFiles'] as ('openFile' | 'showHiddenFiles')[],
          };
          const win = dashboard.window();
          const picked = win
            ? await dialog.showOpenDialog(win, options)
            : await dialog.showOpenDialog(options);
          return picked.canceled ? null : (picked.filePaths[0] ?? null);
        },
        // Start at login, in the tray (--hidden): Electron's login items on macOS and Windows,
        // an XDG autostart entry on Linux (Electron has none there).
        setLaunchAtLogin: async (enabled) => {
          const refusal = loginItemRefusal(app.isPackaged);
          if (enabled && refusal) throw new Error(refusal);
          if (process.platform === 'linux') {
            const opts = {
              env: process.env,
              homeDir: app.getPath('home'),
              execPath: process.execPath,
            };
            await setLinuxAutostart(enabled, opts);
          } else {
            app.setLoginItemSettings(loginItemSettings(enabled, process.platform));
          }
        },
        // macOS 13+: a login item can wait for approval in System Settings; Settings says so.
        loginItemNote: () =>
          process.platform === 'darwin' ? loginItemNote(app.getLoginItemSettings().status) : null,
        // Touch ID before a remembered key leaves the keychain (macOS); elsewhere always grants.
        gate: createTouchIdGate(systemPreferences, process.platform),
        updates: shellUpdater.controller,
        // The `stigmer-local` CLI's app:quit / app:show / cli:install.
        hostActions: {
          quit: () => app.quit(), // -> before-quit -> quitFlow stops the stack first
          show: async () => (dashboard.show(), { shown: true, url: null }),
          installCli: () => electronCliInstall(app.isPackaged, here, process.resourcesPath),
        },
      });
      const live = core;

      const router = createRouter(live.handlers, {
        isTrustedSender: (sender) => isTrustedSenderUrl(sender.url, RENDERER_URL),
        onInternalError: (channel, error) => log(`${channel} failed: ${errorMessage(error)}`),
      });
      // Exactly the contract's channels, nothing else (style.md #1).
      for (const channel of INVOKE_CHANNELS) {
        ipcMain.handle(channel, (event, args: unknown) =>
          router.handle(channel, args, { url: event.senderFrame?.url ?? '' }),
        );
      }

      // The CLI's socket; without it the app still works, so a failure is only logged.
      await startSocketHost({
        core: live,
        userDataDir: app.getPath('userData'),
        host: 'electron',
        version: app.getVersion(),
        log,
        onInternalError: (channel, error) => log(`${channel} failed: ${errorMessage(error)}`),
      }).catch((error: unknown) => log(`The command-line socket is off: ${errorMessage(error)}`));

      // Shown notifications stay referenced until closed or clicked, or their handlers can go.
      const keptNotes = new NotificationKeeper<Notification>();
      const report = (what: string) => (error: unknown) => {
        const body = `${what} failed: ${errorMessage(error)}`;
        log(body);
        if (Notification.isSupported())
          keptNotes.keep(new Notification({ title: 'Stigmer Local', body })).show();
      };
      const actions: TrayActions = {
        startAll: () => void live.startStack('tray').catch(report('Start all')),
        stopAll: () => void live.stopStack('tray').catch(report('Stop all')),
        start: (name) => void live.startService(name, 'tray').catch(report(`Start ${name}`)),
        stop: (name) => void live.stopService(name, 'tray').catch(report(`Stop ${name}`)),
        restart: (name) => void live.restartService(name, 'tray').catch(report(`Restart ${name}`)),
        openDashboard: () => dashboard.show(),
        // The renderer opens the key dialog by itself while a key is needed, so showing the
        // window is enough for Enter; Rotate leaves a request the window takes when it is up.
        enterKey: () => dashboard.show(),
        rotateKey: (name) => {
          try {
            live.requestKeyDialog(name);
          } catch (error) {
            report(`Rotate ${name}`)(error);
          }
          dashboard.show();
        },
        lockKeys: () => void live.lockKeys('tray').catch(report('Lock keys')),
        retryAudit: () => void live.retryAudit('tray').catch(report('Retry audit journal')),
        quit: () => app.quit(), // -> before-quit -> quitFlow stops the stack first
      };
      // Keys state for the tray; without it the tray still works, its key items disabled.
      const keys = await live.handlers['secrets:snapshot'](undefined).catch((error: unknown) => {
        log(`Reading keys failed: ${errorMessage(error)}`);
        return null;
      });
      const tray = createStackTray(live.snapshot(), { iconDir: resourcesDir, actions }, keys);

      // Desktop notifications for what needs the user (a service gave up, a key is needed),
      // unless the window is in front and already shows it.
      let lastSnapshot = live.snapshot();
      const notify = (next: StackSnapshot) => {
        const notes = notificationsFor(lastSnapshot, next);
        lastSnapshot = next;
        if (!Notification.isSupported() || dashboard.window()?.isFocused()) return;
        for (const note of notes) {
          const shown = keptNotes.keep(new Notification({ title: note.title, body: note.body }));
          shown.on('click', () => dashboard.show());
          shown.show();
        }
      };

      // Live figures (CPU, memory) are sampled only while a window is seen (shown and not
      // minimised): a tray app in the background does not poll for a view nobody looks at.
      app.on('browser-window-created', (_event, win) => {
        const who = `window:${win.id}`;
        const update = () =>
          live.setLooking(who, !win.isDestroyed() && win.isVisible() && !win.isMinimized());
        win.on('show', update);
        win.on('hide', update);
        win.on('minimize', update);
        win.on('restore', update);
        win.on('closed', () => live.setLooking(who, false));
      });

      live.onEvent((channel, payload) => {
        dashboard.send(channel, payload);
        if (channel === 'services:changed') {
          tray.update(live.snapshot());
          notify(live.snapshot());
        }
        // The listener is generic in the channel, so the check does not narrow the payload.
        if (channel === 'secrets:changed') {
          tray.updateKeys(payload as EventPayload<'secrets:changed'>);
        }
      });

      // Started at login: stay in the tray. Otherwise the user launched us and expects a
      // window (and GNOME without an AppIndicator extension shows no tray at all).
      const login = process.platform === 'darwin' ? app.getLoginItemSettings() : null;
      const atLogin = startedAtLogin({
        platform: process.platform,
        argv: process.argv,
        wasOpenedAtLogin: login?.wasOpenedAtLogin,
        status: login?.status,
      });
      // Every handler exists now: a second launch that came during startup may open the window.
      if (!atLogin) ready.whenReady(() => dashboard.show());
      ready.open();
      startupSettled();
      // This version reached ready: an update that brought it worked. Then check at start and daily.
      shellUpdater.controller.markReady();
      shellUpdater.controller.start();
    })
    .catch(async (error: unknown) => {
      log(`Startup failed: ${errorMessage(error)}`);
      // A packaged app has no terminal: say it in a dialog, with the details in a file.
      const logFile = await writeStartupFailure(app.getPath('userData'), error);
      if (app.isPackaged) {
        const { title, body } = startupFailureMessage(error, logFile);
        dialog.showErrorBox(title, body);
      } else if (logFile) {
        log(`Details in ${logFile}`);
      }
      app.exit(1);
    });
}
