import path from 'node:path';
import { Menu, Tray, nativeImage } from 'electron';
import type { SecretsSnapshot } from '../../src-shared/model/secret';
import type { StackSnapshot } from '../../src-shared/model/service';
import {
  trayHeaderFor,
  trayIconFile,
  trayIconFor,
  trayKeysFor,
  trayMenuFor,
  type TrayActions,
  type TrayIconName,
  type TrayKeys,
} from './tray-model';

/** What the tray needs: where the icons are and what the items do. */
export interface TrayOptions {
  iconDir: string;
  actions: TrayActions;
  platform?: NodeJS.Platform;
}

/**
 * The live tray: call `update` with every stack snapshot (the services:changed payload) and
 * `updateKeys` with every keys snapshot (the secrets:changed payload); either rebuilds it.
 */
export interface StackTray {
  update(snapshot: StackSnapshot): void;
  updateKeys(secrets: SecretsSnapshot): void;
  destroy(): void;
}

/** Create the tray icon; icon, tooltip and menu are rebuilt from the pure model on each update. */
export function createStackTray(
  initial: StackSnapshot,
  options: TrayOptions,
  initialKeys?: SecretsSnapshot | null,
): StackTray {
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

  // Windows users click the icon expecting the window, and so do Linux users: Electron's
  // StatusNotifierItem reports a left-click as 'click' (where the desktop sends Activate; others
  // open the menu, whose "Open dashboard…" covers it). macOS opens the menu on click.
  if (platform === 'win32' || platform === 'linux') {
    tray.on('click', () => options.actions.openDashboard());
  }

  let latest = initial;
  let keys: TrayKeys | undefined = initialKeys ? trayKeysFor(initialKeys) : undefined;

  const render = () => {
    const snapshot = latest;
    const model = { keys, platform, now: Date.now() };
    const icon = trayIconFor(snapshot, model);
    if (icon !== lastIcon) {
      tray.setImage(imageFor(icon));
      lastIcon = icon;
    }
    tray.setToolTip(trayHeaderFor(snapshot, model));
    // A fresh menu every time: Linux AppIndicator only picks up changes via setContextMenu.
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuFor(snapshot, options.actions, model)));
  };

  // Uptimes in the labels age without any services:changed event; refresh them each minute.
  const ticker = setInterval(render, 60_000);
  ticker.unref();

  render();
  return {
    update: (snapshot) => {
      latest = snapshot;
      render();
    },
    updateKeys: (secrets) => {
      keys = trayKeysFor(secrets);
      render();
    },
    destroy: () => {
      clearInterval(ticker);
      tray.destroy();
    },
  };
}
