import { DashboardPage } from './pages/dashboard.page';
import { test, expect } from './support/app-test';
import { E2E_HOST } from './support/electron-host';
import { freePort } from './support/free-port';
import { launchHost, SHELL_KEY, standInStackYaml, type HostHandle } from './support/host';

// Runs on whichever host E2E_HOST names: here the browser host, in .github/workflows/desktop.yml
// the real Electron app. It proves the switch itself: the same page object, the same stack file.
let host: HostHandle | undefined;

test.afterEach(async () => {
  const code = await host?.stop();
  host = undefined;
  expect(code, `the ${E2E_HOST} host stops the stack and exits 0`).toBe(0);
});

test(`the dashboard starts and stops the stand-in stack (${E2E_HOST} host)`, async ({ page }) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }), SHELL_KEY);
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  if (E2E_HOST === 'electron') expect(page.url()).toMatch(/^app:\/\/stigmer\//);
  else expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  await dash.startAll();
  await dash.expectState('stigmer-server', 'ready');
  await dash.expectState('agent-runner', 'ready');
  await dash.stopAll();
  await dash.expectState('agent-runner', 'stopped');
  await dash.expectState('stigmer-server', 'stopped');
});
