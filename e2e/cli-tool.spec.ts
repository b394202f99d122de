import { expect, test } from '@playwright/test';
import { DashboardPage } from './pages/dashboard.page';
import { SettingsPage } from './pages/settings.page';
import { E2E_HOST } from './support/electron-host';
import { freePort } from './support/free-port';
import { launchHost, SHELL_KEY, standInStackYaml, type HostHandle } from './support/host';

/**
 * Settings → Command line tool through the browser host: it cannot put anything on PATH, so
 * "Install command line tool" says where the CLI is and how to link it. The desktop app's
 * symlink is tested in src-main/socket-host/cli-install.test.ts; the CLI itself in
 * src-main/cli/cli.test.ts.
 */
test.skip(E2E_HOST === 'electron', 'browser host only: the Electron lane links into a real home');

let host: HostHandle | undefined;
test.afterEach(async () => {
  expect(await host?.stop()).toBe(0);
  host = undefined;
});

test('Settings → Install command line tool names dist/main/cli.js and the npm link advice', async ({
  page,
}) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }), SHELL_KEY);
  await new DashboardPage(page).open(host.url);
  await new SettingsPage(page).open();
  const section = page.locator('[data-field="cli-tool"]');
  await expect(section.getByRole('heading', { name: 'Command line tool' })).toBeVisible();
  await section.getByRole('button', { name: 'Install command line tool' }).click();
  const result = section.getByRole('status');
  await expect(result).toContainText('Not installed:');
  await expect(result).toContainText(/dist\/main\/cli\.js/);
  await expect(result).toContainText('npm link');
});
