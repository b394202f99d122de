// One spec, both hosts: the browser host here, the real Electron app with E2E_HOST=electron.
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './support/app-test';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { DashboardPage } from './pages/dashboard.page';
import { AuditPage } from './pages/audit.page';
import { SettingsPage } from './pages/settings.page';
import { E2E_HOST } from './support/electron-host';
import { freePort } from './support/free-port';
import { launchHost, SHELL_KEY, standInStackYaml, type HostHandle } from './support/host';

/**
 * Issue 11 items 6, 8, 11 and 13: usable at 800×600 (no side scroll, every row action in view,
 * the Audit table tall enough, rows that keep their height when the state word changes), plain
 * words instead of channel and field names, Settings → Programs saying where a program comes
 * from, About with version and help links, the stack state in the window title, and a
 * getting-started view when nothing is installed.
 */

let host: HostHandle | undefined;
test.afterEach(async () => {
  expect(await host?.stop()).toBe(0);
  host = undefined;
});

const SMALL = { width: 800, height: 600 };

/** axe-core's violations on the page as it is (browser host only: axe injects into a context). */
async function axeViolations(page: Page): Promise<string[]> {
  if (E2E_HOST === 'electron') return [];
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map(
    (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

async function go(page: Page, view: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: view }).click();
}

test('at 800×600: no side scroll, every row action in view, rows keep their height', async ({
  page,
}) => {
  await page.setViewportSize(SMALL);
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }), SHELL_KEY);
  const dash = new DashboardPage(page);
  await dash.open(host.url);

  const overflow = await page.evaluate(() => {
    const view = document.querySelector('main.view')!;
    return {
      view: view.scrollWidth - view.clientWidth,
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    };
  });
  expect(overflow, 'nothing scrolls sideways').toEqual({ view: 0, page: 0 });
  for (const name of ['stigmer-server', 'agent-runner']) {
    for (const action of ['Start', 'Stop', 'Restart', 'Logs']) {
      const button = dash.row(name).getByRole('button', { name: new RegExp(`^${action}\\b`) });
      await expect(button).toBeVisible();
      const box = (await button.boundingBox())!;
      expect(box.x + box.width, `${action} of ${name} is inside the window`).toBeLessThanOrEqual(
        SMALL.width,
      );
    }
  }

  // Every disabled action says why: a tooltip, and the same words as its accessible description.
  const disabled = page.locator('main button:disabled');
  expect(
    await disabled.count(),
    'Stop all, and Stop and Restart of each row',
  ).toBeGreaterThanOrEqual(5);
  for (const button of await disabled.all()) {
    const title = await button.getAttribute('title');
    expect(title, await button.innerText()).toBeTruthy();
    await expect(button).toHaveAccessibleDescription(title!);
  }
  await expect(dash.row('stigmer-server').getByRole('button', { name: /^Stop / })).toHaveAttribute(
    'title',
    'Not running.',
  );

  // Every height a row takes while its state word changes (Stopped → Starting → Ready →
  // Stopping → Stopped), recorded in the frame after each change.
  await page.evaluate(() => {
    const w = window as unknown as { rowHeights: Record<string, number[]> };
    w.rowHeights = {};
    for (const row of document.querySelectorAll<HTMLElement>('li.service')) {
      const name = row.dataset.service!;
      const heights: number[] = [row.getBoundingClientRect().height];
      w.rowHeights[name] = heights;
      new MutationObserver(() =>
        requestAnimationFrame(() => {
          heights.push(row.getBoundingClientRect().height);
          // -1 marks that the row's progress word ("Starting…") was on screen at least once.
          if (row.querySelector('.busy') && !heights.includes(-1)) heights.unshift(-1);
        }),
      ).observe(row, { subtree: true, childList: true, characterData: true, attributes: true });
    }
  });
  // The row's own Start shows its progress word in the row ("Starting…"); its dependency starts too.
  await dash
    .row('agent-runner')
    .getByRole('button', { name: 'Start Agent runner', exact: true })
    .click();
  await dash.expectState('agent-runner', 'ready');
  await expect(page).toHaveTitle('Stigmer Local — Running · 2 of 2 ready');
  await dash.stopAll();
  await dash.expectState('agent-runner', 'stopped');
  await dash.expectState('stigmer-server', 'stopped');
  const heights = await page.evaluate(
    () => (window as unknown as { rowHeights: Record<string, number[]> }).rowHeights,
  );
  expect(heights['agent-runner']![0], 'the row showed its progress word').toBe(-1);
  for (const [name, marked] of Object.entries(heights)) {
    const seen = marked.filter((h) => h !== -1);
    expect(seen.length, `${name} changed on screen`).toBeGreaterThan(3);
    expect(new Set(seen.map((h) => Math.round(h))), `${name} kept one height`).toEqual(
      new Set([Math.round(seen[0]!)]),
    );
  }
  // The user's own Stop all is not an error.
  await expect(page.locator('.service .error-text')).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);

  // Audit: the table gets the height, not the toolbar and the details.
  const audit = new AuditPage(page);
  await audit.open();
  const table = (await audit.table().boundingBox())!;
  expect(table.height, 'the Audit table is at least 300 px tall').toBeGreaterThanOrEqual(300);
  // Display names, as on Services; filters are dropdowns of what exists, by those names.
  await audit.filterByService('Agent runner');
  // The query is asynchronous: wait until only the runner's entries are shown.
  await expect
    .poll(async () =>
      [
        ...new Set(
          await audit
            .rows()
            .evaluateAll((rows) =>
              rows.map((r) => r.querySelectorAll('[role="gridcell"]')[2]!.textContent),
            ),
        ),
      ].join('|'),
    )
    .toBe('Agent runner');
  await audit.filterByService('');
  await audit.filterByKey('Anthropic API key');
  await expect(audit.table().locator('[data-type="key.delivered"]').first()).toBeVisible();
  await audit.filterByKey('');
  const auditOverflow = await page.evaluate(() => {
    const view = document.querySelector('main.view')!;
    return view.scrollWidth - view.clientWidth;
  });
  expect(auditOverflow).toBe(0);

  // Logs: the toolbar leaves the lines at least half the window.
  await go(page, 'Logs');
  const panel = (await page.locator('.log-panel').boundingBox())!;
  expect(panel.height).toBeGreaterThanOrEqual(SMALL.height / 2);

  // No view scrolls sideways at this size.
  for (const view of ['Logs', 'Keys', 'Audit', 'Settings', 'Services']) {
    await go(page, view);
    await expect(page.getByRole('heading', { level: 1, name: view })).toBeVisible();
    const sideways = await page.evaluate(() => {
      const main = document.querySelector('main.view')!;
      return main.scrollWidth - main.clientWidth;
    });
    expect(sideways, `${view} scrolls sideways`).toBe(0);
    // Every disabled action in every view says why, as tooltip and accessible description.
    for (const button of await page.locator('main button:disabled').all()) {
      const title = await button.getAttribute('title');
      expect(title, `${view}: ${await button.innerText()}`).toBeTruthy();
      await expect(button).toHaveAccessibleDescription(title!);
    }
  }
});

test('the window title follows the stack state', async ({ page }) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }), SHELL_KEY);
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  await expect(page).toHaveTitle('Stigmer Local — Stopped · 0 of 2 ready');
  await dash.startAll();
  await expect(page).toHaveTitle('Stigmer Local — Running · 2 of 2 ready');
  await dash.row('agent-runner').getByRole('button', { name: 'Stop Agent runner' }).click();
  await expect(page).toHaveTitle('Stigmer Local — Degraded · 1 of 2 ready');
  await dash.stopAll();
  await expect(page).toHaveTitle('Stigmer Local — Stopped · 0 of 2 ready');
});

test('a bad setting is refused in the words of the form, not channel or field names', async ({
  page,
}) => {
  await page.setViewportSize(SMALL);
  host = await launchHost(
    standInStackYaml({ serverPort: await freePort(), temporal: 'discover' }),
    SHELL_KEY,
  );
  await new DashboardPage(page).open(host.url);
  const settings = new SettingsPage(page);
  await settings.open();
  const idle = page.getByLabel('Forget keys from memory after this many idle minutes');
  await idle.fill('-3');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toHaveText(
    'Forget keys after (minutes) must be at least 0 (0 = never forget). Nothing was changed; correct it and save again.',
  );
  await expect(alert).not.toContainText('settings:set');
  await expect(alert).not.toContainText('keyIdleMinutes');

  const relative = settings.programField('temporal');
  await relative.fill('bin/temporal');
  await settings.programs().getByRole('button', { name: 'Save locations' }).click();
  const pathAlert = settings.programs().getByRole('alert');
  await expect(pathAlert).toContainText('Temporal program must be a full path');
  await expect(pathAlert).not.toContainText('binaries');

  // Settings → Programs: the stack file supplies these two, and says so with the path.
  for (const name of ['stigmer-server', 'agent-runner']) {
    await expect(
      settings.programs().locator(`[data-field="program-state"][data-service="${name}"]`),
    ).toHaveText(`From stack.yaml: ${process.execPath}`);
  }
  // A path where nothing is: saved, with a warning row that says what is wrong and what to do.
  const missing = join(await mkdtemp(join(tmpdir(), 'stigmer-e2e-missing-')), 'temporal');
  await relative.fill(missing);
  await settings.programs().getByRole('button', { name: 'Save locations' }).click();
  const warning = settings
    .programs()
    .locator('[data-field="program-warning"][data-service="temporal"]');
  await expect(warning).toHaveText(
    `Nothing usable at ${missing} (not found). Temporal cannot start until this points at its program. Correct the path, or clear the field to look in the usual places.`,
  );
  await expect(warning).toHaveAttribute('role', 'alert');
  const overflow = await page.evaluate(() => {
    const view = document.querySelector('main.view')!;
    return view.scrollWidth - view.clientWidth;
  });
  expect(overflow).toBe(0);
});

test('About shows the version, where data lives, and help links that open outside', async ({
  page,
}) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }), SHELL_KEY);
  await new DashboardPage(page).open(host.url);
  const about = page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('button', { name: 'About' });
  await about.click();
  const dialog = page.getByRole('dialog', { name: 'About Stigmer Local' });
  const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  await expect(dialog.locator('[data-field="version"]')).toHaveText(version);
  await expect(dialog).toContainText(host.userDataDir);
  const key = dialog.getByRole('link', { name: /Get an Anthropic API key/ });
  await expect(key).toHaveAttribute('href', 'https://console.anthropic.com/settings/keys');
  await expect(dialog.getByRole('link', { name: /Stigmer documentation/ })).toHaveAttribute(
    'href',
    /^https:\/\//,
  );
  for (const link of await dialog.getByRole('link').all()) {
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', /noopener/);
  }
  expect(await axeViolations(page), 'axe over the About dialog').toEqual([]);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(about).toBeFocused();
});

test('with nothing installed, a getting-started view says what to install and where', async ({
  page,
}) => {
  const empty = await mkdtemp(join(tmpdir(), 'stigmer-e2e-empty-path-'));
  // The default stack, and nowhere to find its programs.
  host = await launchHost('services: {}\n', { PATH: empty });
  await page.goto(host.url);
  const start = page.getByTestId('getting-started');
  await expect(start.getByRole('heading', { name: 'Get started' })).toBeVisible();
  await expect(start).toContainText('~/.stigmer/bin');
  await expect(start.getByRole('link', { name: /Get an Anthropic API key/ })).toHaveAttribute(
    'href',
    'https://console.anthropic.com/settings/keys',
  );
  await expect(page).toHaveTitle('Stigmer Local — Nothing installed');
  expect(await axeViolations(page), 'axe over the getting-started view').toEqual([]);
  await start.getByRole('button', { name: 'Settings → Programs' }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await expect(
    page.locator('[data-field="program-state"][data-service="stigmer-server"]'),
  ).toHaveText('not found');
});
