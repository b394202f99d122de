import type { BrowserWindowConstructorOptions } from 'electron';
import { secureWebPreferences } from './security';

/** Background painted before the renderer draws, matching its light/dark base colour. */
export function windowBackground(dark: boolean): string {
  return dark ? '#1e1f22' : '#ffffff';
}

/** Options for the dashboard window (pure, so the security-relevant parts are tested). */
export function dashboardWindowOptions(
  preloadPath: string,
  dark: boolean,
  iconPath?: string,
): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 720,
    minWidth: 760,
    minHeight: 480,
    title: 'Stigmer Local',
    // Shown on ready-to-show, so the user never sees a blank white frame.
    show: false,
    backgroundColor: windowBackground(dark),
    autoHideMenuBar: true,
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: secureWebPreferences(preloadPath),
  };
}
