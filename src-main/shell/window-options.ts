import type { BrowserWindowConstructorOptions } from 'electron';
import { secureWebPreferences } from './security';

/** Background painted before the renderer draws, matching its light/dark base colour. */
export function windowBackground(dark: boolean): string {
  return dark ? '#1e1f22' : '#ffffff';
}

/** The smallest dashboard window: every view stays usable at this size, without side scroll. */
export const MIN_WINDOW_SIZE = { width: 800, height: 600 } as const;

/** Options for the dashboard window (pure, so the security-relevant parts are tested). */
export function dashboardWindowOptions(
  preloadPath: string,
  dark: boolean,
  iconPath?: string,
): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 720,
    // The renderer is laid out to be fully usable down to 800×600 (e2e layout-words spec).
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: 'Stigmer Local',
    // Shown on ready-to-show, so the user never sees a blank white frame.
    show: false,
    backgroundColor: windowBackground(dark),
    autoHideMenuBar: true,
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: secureWebPreferences(preloadPath),
  };
}
