// Issue 11, items 2, 5 and 7: one slow start never locks the other rows; stopping a service
// others need says so before and after (row, log, journal) and starting it again brings them
// back; keyboard focus stays in the row after an action and returns after a dialog.
// One spec, both hosts: the browser host here, the real Electron app with E2E_HOST=electron.
import { test, expect } from './support/app-test';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { DashboardPage } from './pages/dashboard.page';
import { E2E_HOST } from './support/electron-host';
import { SHELL_KEY, launchHost, standInStackYaml, type HostHandle } from './support/host';
import { alive, freePort } from './support/free-port';

const fixtures = resolve(import.meta.dirname, 'fixtures');
const node = JSON.stringify(process.execPath);

/**
 * Three more services: one that never gets ready (40 s readiness timeout, like a slow real
 * one), one whose port is taken (Failed) and one whose program is missing.
 */
function troubleYaml(slowPort: number, heldPort: number): string {
  return `  slow:
    display_name: Slow service
    command: ${node}
    args: [${JSON.stringify(join(fixtures, 'stand-in-server.mjs'))}]
    env: { GRPC_PORT: "${slowPort}" }
    readiness: { log: "this line is never printed", timeout: 40s }
    stop: { signal: SIGTERM, grace: 2s }
  broken:
    display_name: Broken service
    command: ${node}
    args: [${JSON.stringify(join(fixtures, 'stand-in-server.mjs'))}]
    env: { GRPC_PORT: "${heldPort}" }
    ports: [${heldPort}] # held by the test: it fails before it spawns
  missing:
    display_name: Missing service
    command: /nonexistent/stigmer-e2e/missing-program
`;
}

let host: HostHandle | undefined;
/** Holds the broken service's port, so that it fails before it spawns. */
let holder: Server | undefined;

test.afterEach(async () => {
  holder?.close();
  holder = undefined;
  const code = await host?.stop();
  host = undefined;
  expect(code, 'the browser host stops the stack and exits 0 on SIGTERM').toBe(0);
});

/** One IPC call from the page, as the window makes it (journal and log checks). */
async function invoke<T>(page: Page, channel: string, args: unknown): Promise<T> {
  const result = (await page.evaluate(([c, a]) => window.stigmer.invoke(c as never, a as never), [
    channel,
    args,
  ] as const)) as { ok: boolean; value: T };
  expect(result.ok).toBe(true);
  return result.value;
}

/** axe-core over what is on screen now, light and dark: the new dialogs and row note included. */
async function expectAxeClean(page: Page, where: string): Promise<void> {
  if (E2E_HOST === 'electron') return; // the a11y spec covers the renderer on the browser host
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const { violations } = await new AxeBuilder({ page }).analyze();
    const found = violations.flatMap((v) =>
      v.nodes.map((n) => `[${colorScheme}] ${where}: ${v.id} ${n.target.join(' ')}`),
    );
    expect(found).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: null });
}

/** Whether keyboard focus is inside the row of `name` (and not on the page's body). */
function focusInRow(page: Page, name: string): Promise<boolean> {
  return page.evaluate((n) => {
    const row = document.querySelector(`li.service[data-service="${n}"]`);
    const active = document.activeElement;
    return !!row && !!active && active !== document.body && row.contains(active);
  }, name);
}

test('during Start all a slow service locks nothing: other rows, Stop all and its own Stop work', async ({
  page,
}) => {
  const serverPort = await freePort();
  const slowPort = await freePort();
  const heldPort = await freePort();
  holder = createServer();
  await new Promise<void>((done) => holder!.listen(heldPort, '127.0.0.1', done));
  host = await launchHost(
    standInStackYaml({ serverPort, extra: troubleYaml(slowPort, heldPort) }),
    SHELL_KEY,
  );
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  await dash.expectState('missing', 'not-installed');

  await dash.startAll();
  await dash.expectState('agent-runner', 'ready');
  await dash.expectState('broken', 'failed');
  await dash.expectState('slow', 'starting');
  // Start all still waits for the slow one; nothing else is locked or mislabelled by it.
  await expect(page.getByRole('button', { name: 'Start all' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Stop all' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Reload stack file' })).toBeEnabled();
  for (const name of ['broken', 'missing', 'stigmer-server', 'agent-runner']) {
    await expect(dash.row(name)).not.toContainText('Starting');
  }
  await expect(dash.state('broken')).toHaveText('Failed');
  await expect(dash.state('missing')).toHaveText('Not installed');

  // Another row's Stop works at once (the runner needs nothing stopped with it).
  const runnerPid = await dash.pid('agent-runner');
  await page.getByRole('button', { name: 'Stop Agent runner' }).click();
  await dash.expectState('agent-runner', 'stopped');
  expect(alive(runnerPid)).toBe(false);
  await dash.expectState('slow', 'starting');

  // The slow row's own Stop cancels its start at once (well before its 40 s timeout).
  const slowPid = await dash.pid('slow');
  await page.getByRole('button', { name: 'Stop Slow service' }).click();
  await dash.expectState('slow', 'stopped');
  expect(alive(slowPid)).toBe(false);
  await expect(dash.row('slow')).not.toContainText('before it was ready');

  // Start all again, and Stop all while it waits for the slow one: it stops everything.
  await dash.startAll();
  await dash.expectState('stigmer-server', 'ready');
  await dash.expectState('slow', 'starting');
  await dash.stopAll();
  for (const name of ['stigmer-server', 'agent-runner', 'slow']) {
    await dash.expectState(name, 'stopped');
  }
  await expect(page.getByRole('button', { name: 'Start all' })).toBeEnabled();
  await expect(page.locator('.banner.error')).toHaveCount(0);
});

test('stopping the server names the runner first, then its row, log and journal say why; Start brings it back', async ({
  page,
}) => {
  const serverPort = await freePort();
  host = await launchHost(standInStackYaml({ serverPort }), SHELL_KEY);
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  await dash.startAll();
  await dash.expectState('agent-runner', 'ready');

  await page.getByRole('button', { name: 'Stop Stigmer server' }).click();
  const ask = page.getByRole('dialog');
  await expect(ask).toContainText(
    'Stopping Stigmer server also stops Agent runner, which needs it.',
  );
  await expectAxeClean(page, 'Stop confirmation');
  // Cancel: nothing stops, focus is back on the Stop it came from.
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(ask).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Stop Stigmer server' })).toBeFocused();
  await dash.expectState('agent-runner', 'ready');

  await page.getByRole('button', { name: 'Stop Stigmer server' }).click();
  await ask.getByRole('button', { name: 'Stop 2 services' }).click();
  await dash.expectState('stigmer-server', 'stopped');
  await dash.expectState('agent-runner', 'stopped');
  await expect(dash.row('agent-runner').locator('[data-field="stopped-by"]')).toContainText(
    'Stopped because Stigmer server was stopped',
  );
  await expect(dash.row('stigmer-server').locator('[data-field="stopped-by"]')).toHaveCount(0);
  await expectAxeClean(page, 'Services with a stopped-by note');

  // The runner's log has the system line, the journal the entry, both with the reason.
  const { entries } = await invoke<{
    entries: { type: string; service?: string; detail?: string }[];
  }>(page, 'audit:list', { service: 'agent-runner', limit: 50 });
  expect(
    entries.some(
      (e) =>
        e.type === 'service.stopped' &&
        e.detail === 'Stigmer server was stopped and Agent runner needs it',
    ),
  ).toBe(true);
  expect(
    entries.some(
      (e) => e.type === 'service.signal' && /: dependency stopped$/.test(e.detail ?? ''),
    ),
  ).toBe(true);
  await expect
    .poll(async () => {
      const { lines } = await invoke<{ lines: { text: string }[] }>(page, 'logs:tail', {
        service: 'agent-runner',
        limit: 200,
      });
      return lines.map((l) => l.text).join('\n');
    })
    .toContain('── stopped: Stigmer server was stopped and Agent runner needs it ──');

  // Starting the server again offers the runner, checked; it comes back.
  await page.getByRole('button', { name: 'Start Stigmer server', exact: true }).click();
  const offer = page.getByRole('dialog');
  await expect(offer.getByRole('checkbox', { name: 'Also start Agent runner' })).toBeChecked();
  await expectAxeClean(page, 'Start offer');
  await offer.getByRole('button', { name: 'Start 2 services' }).click();
  await dash.expectState('stigmer-server', 'ready');
  await dash.expectState('agent-runner', 'ready');
  await expect(dash.row('agent-runner').locator('[data-field="stopped-by"]')).toHaveCount(0);
});

test('keyboard only: focus stays in the row after Stop and Start, and returns after a dialog', async ({
  page,
}) => {
  const serverPort = await freePort();
  host = await launchHost(standInStackYaml({ serverPort }), SHELL_KEY);
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  await dash.startAll();
  await dash.expectState('agent-runner', 'ready');

  // Tab until the runner's Stop has focus, then Enter: it disables itself while stopping.
  const stop = page.getByRole('button', { name: 'Stop Agent runner' });
  for (let i = 0; i < 40 && !(await stop.evaluate((b) => b === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(stop).toBeFocused();
  await page.keyboard.press('Enter');
  await dash.expectState('agent-runner', 'stopped');
  expect(await focusInRow(page, 'agent-runner')).toBe(true);

  // Shift+Tab back to Start (the row's actions are in order), Enter: focus stays in the row.
  const start = page.getByRole('button', { name: 'Start Agent runner', exact: true });
  for (let i = 0; i < 6 && !(await start.evaluate((b) => b === document.activeElement)); i++) {
    await page.keyboard.press('Shift+Tab');
  }
  await expect(start).toBeFocused();
  await page.keyboard.press('Enter');
  await dash.expectState('agent-runner', 'ready');
  expect(await focusInRow(page, 'agent-runner')).toBe(true);

  // A dialog (the server's Stop asks): Esc closes it and focus is back on that Stop.
  const serverStop = page.getByRole('button', { name: 'Stop Stigmer server' });
  await serverStop.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(serverStop).toBeFocused();

  // Confirmed with the keyboard: Stop is disabled then, focus stays in the server's row.
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').getByRole('button', { name: 'Stop 2 services' }).focus();
  await page.keyboard.press('Enter');
  await dash.expectState('stigmer-server', 'stopped');
  expect(await focusInRow(page, 'stigmer-server')).toBe(true);
});

test('a dialog that opened by itself (a key is needed) gives focus back where it was', async ({
  page,
}) => {
  const serverPort = await freePort();
  host = await launchHost(standInStackYaml({ serverPort })); // no key: the runner will ask
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  // The user is reading the runner's row; the runner is started from elsewhere (like the tray).
  const logs = page.getByRole('button', { name: 'Logs for Agent runner' });
  await logs.focus();
  await page.evaluate(() => window.stigmer.invoke('services:start', { name: 'agent-runner' }));
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Anthropic API key');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await dash.expectState('agent-runner', 'needs-key');
  await expect(logs).toBeFocused();
});
