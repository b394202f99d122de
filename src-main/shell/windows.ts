import { app, BrowserWindow, nativeTheme } from 'electron';
import type { EventChannel, EventPayload } from '../../src-shared/ipc/contract';
import { RENDERER_URL } from './app-url';
import { dashboardWindowOptions, windowBackground } from './window-options';

/** What the dashboard window manager needs. */
export interface DashboardOptions {
  preloadPath: string;
  iconPath?: string;
  /** True once Quit started: then closing really closes. */
  isQuitting(): boolean;
  /** Windows logoff/shutdown (WM_ENDSESSION): the app gets no before-quit then. */
  onSessionEnd?: () => void;
}

/** The one dashboard window: created lazily, hidden on close, re-shown on demand. */
export interface Dashboard {
  /** Create the window if needed, then show and focus it. */
  show(): void;
  /** Push an event to the page, if the window exists. */
  send<C extends EventChannel>(channel: C, payload: EventPayload<C>): void;
  window(): BrowserWindow | null;
}

/** Build the dashboard manager (one window at a time). */
export function createDashboard(options: DashboardOptions): Dashboard {
  let win: BrowserWindow | null = null;

  // A menu-bar app on macOS: the Dock icon appears only while the dashboard is visible,
  // so the window can be Cmd+Tabbed to, and disappears again when the window is hidden.
  const setDock = (visible: boolean) => {
    if (process.platform !== 'darwin' || !app.dock) return;
    if (visible) void app.dock.show();
    else app.dock.hide();
  };

  // macOS: show() alone does not bring an accessory (Dock-less) app forward, so the window
  // could open behind the frontmost app; the user asked for it (tray, second launch), so steal.
  const activate = () => {
    if (process.platform !== 'darwin') return;
    setDock(true);
    app.focus({ steal: true });
  };

  const onThemeUpdated = () => {
    win?.setBackgroundColor(windowBackground(nativeTheme.shouldUseDarkColors));
  };

  function create(): BrowserWindow {
    const created = new BrowserWindow(
      dashboardWindowOptions(
        options.preloadPath,
        nativeTheme.shouldUseDarkColors,
        options.iconPath,
      ),
    );
    created.once('ready-to-show', () => {
      created.show();
      activate();
    });
    if (options.onSessionEnd) created.on('session-end', options.onSessionEnd);
    created.on('show', () => setDock(true));
    created.on('hide', () => setDock(false));
    // Closing hides: the app lives in the tray and the stack keeps running.
    created.on('close', (event) => {
      if (options.isQuitting()) return;
      event.preventDefault();
      created.hide();
    });
    created.on('closed', () => {
      nativeTheme.off('updated', onThemeUpdated);
      if (win === created) win = null;
      setDock(false);
    });
    nativeTheme.on('updated', onThemeUpdated);
    // RENDERER_URL is app://stigmer/index.html, served from dist/renderer (see app-protocol.ts).
    void created.loadURL(RENDERER_URL);
    return created;
  }

  return {
    show() {
      if (!win || win.isDestroyed()) {
        win = create();
        return; // shown on ready-to-show
      }
      if (win.isMinimized()) win.restore();
      win.show();
      activate();
      win.focus();
    },
    send(channel, payload) {
      if (win && !win.isDestroyed() && !win.webContents.isDestroyed()) {
        win.webContents.send(channel, payload);
      }
    },
    window: () => win,
  };
}
