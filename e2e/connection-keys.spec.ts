// Browser host only: it kills and pauses the host process under an open window.
import { test, expect, type Page } from '@playwright/test';
import { rm } from 'node:fs/promises';
import { DashboardPage } from './pages/dashboard.page';
import { KeysPage } from './pages/keys.page';
import { canaryKey } from './support/canary';
import { freePort } from './support/free-port';
import { launchHost, SHELL_KEY, standInStackYaml, type HostHandle } from './support/host';

let host: HostHandle | undefined;
/** Service process groups left running by a host killed on purpose (ended after the test). */
let orphans: number[] = [];
test.afterEach(async () => {
  for (const pid of orphans) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  orphans = [];
  if (host?.process.signalCode === 'SIGKILL') {
    await rm(host.userDataDir, { recursive: true, force: true });
  } else if (host) {
    expect(await host.stop()).toBe(0);
  }
  host = undefined;
});

const banner = (page: Page) => page.locator('[data-field="connection"]');
/** The word a state pill shows while disconnected (drawn by CSS over the last known state). */
const shownState = (page: Page, service: string) =>
  page
    .locator(`li.service[data-service="${service}"] .pill`)
    .evaluate((el) => getComputedStyle(el, '::after').content);

test('the host killed under an open window: banner at once, actions disabled with the reason, states unknown', async ({
  page,
}) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }), SHELL_KEY);
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  await dash.startAll();
  await dash.expectState('stigmer-server', 'ready');
  await dash.expectState('agent-runner', 'ready');
  orphans = [await dash.pid('stigmer-server'), await dash.pid('agent-runner')];
  await expect(banner(page)).toHaveCount(0);

  host.process.kill('SIGKILL');

  await expect(banner(page)).toContainText(
    'Stigmer Local is not responding. Its services may still be running. Reconnecting',
  );
  const stopAll = page.getByRole('button', { name: 'Stop all' });
  await expect(stopAll).toBeDisabled();
  await expect(page.getByRole('button', { name: /^Stop / }).first()).toBeDisabled();
  // The reason: a tooltip on the disabled area and its description (the banner text).
  const body = page.locator('fieldset.view-body');
  await expect(body).toHaveAttribute('title', /not responding/);
  await expect(body).toHaveAttribute('aria-describedby', 'connection-reason');
  await expect(page.locator('#connection-reason')).toContainText('not responding');
  // Nothing shown is known any more: no "Ready", no counting uptime.
  expect(await shownState(page, 'agent-runner')).toBe('"Unknown"');
  expect(await shownState(page, 'stigmer-server')).toBe('"Unknown"');
  // Views can still be read; their actions are disabled too.
  await new KeysPage(page).openView();
  await expect(page.getByRole('button', { name: 'Lock keys' })).toBeDisabled();
});

test('a paused host is noticed by the heartbeat; resumed, the window reconnects by itself and reads again', async ({
  page,
}) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }), SHELL_KEY);
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  await dash.startAll();
  await dash.expectState('agent-runner', 'ready');
  const runnerBefore = await dash.pid('agent-runner');

  process.kill(host.process.pid!, 'SIGSTOP');
  try {
    // No socket closes for a paused process: only the heartbeat can tell.
    await expect(banner(page)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Stop all' })).toBeDisabled();
    // Something the window cannot hear about while the host is paused: the runner dies.
    process.kill(runnerBefore, 'SIGKILL');
  } finally {
    process.kill(host.process.pid!, 'SIGCONT');
  }

  await expect(banner(page)).toHaveCount(0, { timeout: 20_000 });
  await expect(page.locator('[data-field="connection-back"]')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Stop all' })).toBeEnabled();
  // The host restarted the runner after its crash; the window shows the new one.
  await dash.expectState('agent-runner', 'ready');
  await expect
    .poll(async () => dash.pid('agent-runner').catch(() => runnerBefore))
    .not.toBe(runnerBefore);
  expect(await shownState(page, 'agent-runner')).toBe('none');
});

test('a URL without the token explains how to open the app instead of "Connecting…"', async ({
  page,
}) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }), SHELL_KEY);
  const bare = host.url.replace(/#.*$/, '');
  await page.goto(bare);
  await expect(page.locator('[data-field="needs-link"]')).toContainText(
    'This page needs the link Stigmer Local printed when it started (it holds a one-time token).',
  );
  await expect(page.locator('[data-field="needs-link"]')).toContainText('npm run start:browser');
  await expect(page.getByText(/Connecting/)).toHaveCount(0);

  // A link with a token from an earlier run: said too.
  const other = await page.context().newPage();
  await other.goto(`${bare}#token=from-an-earlier-run`);
  await expect(other.locator('[data-field="needs-link"]')).toContainText('not accepted');
});

test('delete and lock with a running runner: named with Restart now, which clears it', async ({
  page,
}) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }));
  const dash = new DashboardPage(page);
  const keys = new KeysPage(page);
  await dash.open(host.url);
  await dash.startAll();
  await keys.expectDialog('Anthropic API key');
  await keys.enterKey(canaryKey('stale'), { remember: false });
  await dash.expectState('agent-runner', 'ready');

  // Delete: the confirmation says the running runner keeps the key.
  await keys.openView();
  await keys
    .card('ANTHROPIC_API_KEY')
    .getByRole('button', { name: /^Delete / })
    .click();
  const confirm = page.getByRole('dialog', { name: /^Delete / });
  await expect(confirm).toContainText(
    'Agent runner is running with this key and keeps it until it is restarted',
  );
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(keys.staleNotice()).toContainText(
    'Agent runner is still running with the deleted ANTHROPIC_API_KEY',
  );
  // Restart now: without a key the runner waits for one (and asks); the notice goes.
  await keys.staleNotice().getByRole('button', { name: 'Restart Agent runner now' }).click();
  await keys.expectDialog('Anthropic API key');
  await expect(keys.staleNotice()).toHaveCount(0);
  await keys.enterKey(canaryKey('stale2'), { remember: false });
  await keys.openServices();
  await dash.expectState('agent-runner', 'ready');

  // Lock: asked and explained first, then said what it did, and the runner named.
  await keys.openView();
  await keys.lock();
  await expect(keys.lockDialog()).toContainText('forgotten from this app’s memory');
  await expect(keys.lockDialog()).toContainText('Agent runner is running and keeps its keys');
  await keys.confirmLock();
  await expect(page.locator('[data-field="rotation-notice"]')).toContainText(
    'Keys locked: forgotten from memory.',
  );
  await expect(keys.cardField('ANTHROPIC_API_KEY', 'status')).not.toHaveText('Not set');
  await expect(keys.staleNotice()).toContainText(
    'Agent runner is still running with the locked ANTHROPIC_API_KEY',
  );
  await keys.staleNotice().getByRole('button', { name: 'Restart Agent runner now' }).click();
  await keys.expectDialog('Anthropic API key');
  await expect(keys.staleNotice()).toHaveCount(0);
  await keys.cancel();
});
