import { test as base, expect, type Page } from '@playwright/test';
import { currentElectronWindow, E2E_HOST } from './electron-host';

/**
 * `test` for specs that run on both hosts: with E2E_HOST=electron the `page` fixture is the
 * window of the Electron app that launchHost started in the test body (the app, not the test,
 * decides when its window exists, so the fixture forwards to it once it does). `page.goto` of
 * host.url then reloads the app's own app:// page. By default `page` is Playwright's own page
 * in Chromium, driving the loopback browser host. Specs switch by importing `test` from here.
 */
/** The window of the Electron app, found when the test uses it (after launchHost). */
function electronWindow(): Page {
  return new Proxy({} as Page, {
    get(_target, property) {
      if (!currentElectronWindow) {
        throw new Error(
          'E2E_HOST=electron: no Electron window yet. Call launchHost() before using page.',
        );
      }
      const value = Reflect.get(currentElectronWindow, property, currentElectronWindow);
      return typeof value === 'function' ? value.bind(currentElectronWindow) : value;
    },
  });
}

// Chosen once per run: in the Electron lane `page` must not depend on Playwright's own page,
// or every test would first launch a Chromium the desktop runners do not have.
export const test =
  E2E_HOST === 'electron'
    ? base.extend<{ page: Page }>({
        // eslint-disable-next-line no-empty-pattern -- Playwright requires the fixture pattern
        page: async ({}, use) => {
          await use(electronWindow());
        },
      })
    : base;

export { expect };
