import path from 'node:path';
import { Menu, Tray, nativeImage } from 'electron';
import type { StackSnapshot } from '../../src-shared/model/service';
import {
  trayHeaderFor,
  trayIconFile,
  trayIconFor,
  trayMenuFor,
  type TrayActions,
  type TrayIconName,
} from './tray-model';

/** What the tray needs: where the icons are and what the items do. */
export interface TrayOptions {
  iconDir: string;
  actions: TrayActions;
  platform?: NodeJS.Platform;
}

/** The live tray: call `update` with every snapshot (the services:changed payload). */
export interface StackTray {
  update(snapshot: StackSnapshot, opts?: { keyNeeded?: boolean }): void;
  destroy(): void;
}

/** Create the tray icon; icon, tooltip and menu are rebuilt from the pure model on each update. */
export function createStackTray(initial: StackSnapshot, options: TrayOptions): StackTray {
  const platform = options.platform ?? process.platform;
  const images = new Map<TrayIconName, Electron.NativeImage>();
  const imageFor = (name: TrayIconName) => {
    let image = images.get(name);
    if (!image) {
      // createFromPath also loads the @2x sibling; "...Template" names become template images.
      image = nativeImage.createFromPath(path.join(options.iconDir, trayIconFile(name, platform)));
      images.set(name, image);
    }
    return image;
  };

  const tray = new Tray(imageFor(trayIconFor(initial)));
  let lastIcon: TrayIconName | null = null;

  // Windows and macOS users click the icon expecting the window; on Linux the AppIndicator
  // has no click event, the menu's "Open dashboard…" covers it.
  if (platform === 'win32') tray.on('click', () => options.actions.openDashboard());

  const update: StackTray['update'] = (snapshot, opts = {}) => {
    const model = { ...opts, platform, now: Date.now() };
    const icon = trayIconFor(snapshot, model);
    if (icon !== lastIcon) {
      tray.setImage(imageFor(icon));
      lastIcon = icon;
    }
    tray.setToolTip(trayHeaderFor(snapshot, model));
    // A fresh menu every time: Linux AppIndicator only picks up changes via setContextMenu.
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuFor(snapshot, options.actions, model)));
  };

  let latest = initial;
  let latestOpts: { keyNeeded?: boolean } = {};
  const render: StackTray['update'] = (snapshot, opts = {}) => {
    latest = snapshot;
    latestOpts = opts;
    update(snapshot, opts);
  };
  // Uptimes in the labels age without any services:changed event; refresh them each minute.
  const ticker = setInterval(() => update(latest, latestOpts), 60_000);
  ticker.unref();

  render(initial);
  return {
    update: render,
    destroy: () => {
      clearInterval(ticker);
      tray.destroy();
    },
  };
}
