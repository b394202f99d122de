import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { DashboardPage } from './pages/dashboard.page';
import { UpdatesPage } from './pages/updates.page';
import { E2E_HOST } from './support/electron-host';
import { freePort } from './support/free-port';
import { launchHost, SHELL_KEY, standInStackYaml, type HostHandle } from './support/host';

/**
 * Settings → Updates through the browser host, which has no updater: it says so and why,
 * "Check for updates" is disabled with that reason, no banner appears, and the automatic-updates
 * switch is still a setting that is saved (it takes effect in a release build of the desktop
 * app). The update flow itself (feed, progress, sha512, deferral) is tested against a local
 * feed in src-main/core/updates/update-controller.test.ts, the banner in update-banner.test.tsx.
 */

// The Electron lane runs an unpackaged app: its reason differs (a development run) and the
// switch is the same renderer; this spec stays on the browser host.
test.skip(
  E2E_HOST === 'electron',
  'browser host only: the unpackaged Electron app says "development run"',
);

let host: HostHandle | undefined;
test.afterEach(async ({ page: _page }, testInfo) => {
  // The host's own lines tell why, when a run fails.
  if (testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach('host output', { body: host?.output.join('\n') ?? '' });
  }
  expect(await host?.stop()).toBe(0);
  host = undefined;
});

test('Settings → Updates says why there are no updates here, and the switch is saved', async ({
  page,
}) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }), SHELL_KEY);
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  const updates = new UpdatesPage(page);
  await updates.settings.open();

  await expect(updates.section().getByRole('heading', { name: 'Updates' })).toBeVisible();
  await expect(updates.status()).toHaveText(
    'Updates come with the desktop app; this window is served by the browser host, which runs the code it was started from.',
  );
  await expect(updates.checkButton()).toBeDisabled();
  await expect(updates.checkButton()).toHaveAttribute('title', /Updates come with the desktop app/);
  await expect(updates.banner()).toHaveCount(0);

  // On by default (it only matters in a release build), and saved when turned off.
  await expect(updates.autoSwitch()).toBeChecked();
  await expect(updates.section()).toContainText(
    'The switch takes effect in a release build of the desktop app.',
  );
  await updates.autoSwitch().uncheck();
  await expect(updates.autoSwitch()).not.toBeChecked();
  await expect
    .poll(async () => JSON.parse(await readFile(join(host!.userDataDir, 'settings.json'), 'utf8')))
    .toMatchObject({ autoUpdates: false });
  await page.reload();
  await updates.settings.open();
  await expect(updates.autoSwitch()).not.toBeChecked();
  await expect(updates.section()).not.toContainText('takes effect in a release build');
});
