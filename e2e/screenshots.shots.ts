import { test, expect, type Browser } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DashboardPage } from './pages/dashboard.page';
import { freePort } from './support/free-port';
import { launchHost, SHELL_KEY, standInStackYaml, type HostHandle } from './support/host';

// `npm run screenshots`: every view in light and dark, at 1280×800 and 800×600, into
// docs/screenshots/. Not part of `npm test` (it documents, it does not check behaviour), but it
// still fails if a view does not render or scrolls sideways, so a broken picture is never saved.

const VIEWS = ['Services', 'Logs', 'Keys', 'Audit', 'Settings'] as const;
const SIZES = [
  { width: 1280, height: 800 },
  { width: 800, height: 600 },
] as const;
const out = resolve('docs/screenshots');

let host: HostHandle | undefined;
test.beforeAll(async () => {
  await mkdir(out, { recursive: true });
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }), SHELL_KEY);
});
test.afterAll(async () => {
  expect(await host?.stop()).toBe(0);
});

async function shoot(browser: Browser, colorScheme: 'light' | 'dark'): Promise<void> {
  for (const viewport of SIZES) {
    const context = await browser.newContext({ colorScheme, viewport });
    const page = await context.newPage();
    const dash = new DashboardPage(page);
    await dash.open(host!.url);
    if (colorScheme === 'light' && viewport.width === 1280) {
      await dash.startAll(); // the first pass starts the stack; later passes find it running
    }
    await dash.expectState('stigmer-server', 'ready');
    await dash.expectState('agent-runner', 'ready');
    for (const view of VIEWS) {
      await page
        .getByRole('navigation', { name: 'Views' })
        .getByRole('button', { name: view })
        .click();
      await expect(page.getByRole('heading', { name: view, level: 1 })).toBeVisible();
      const sideways = await page.evaluate(
        () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
      );
      expect(sideways, `${view} at ${viewport.width}×${viewport.height} scrolls sideways`).toBe(
        false,
      );
      const name = `${view.toLowerCase()}-${colorScheme}-${viewport.width}x${viewport.height}.png`;
      await page.screenshot({ path: resolve(out, name) });
    }
    await context.close();
  }
}

test.describe.configure({ mode: 'serial', timeout: 120_000 });
test('light', async ({ browser }) => shoot(browser, 'light'));
test('dark', async ({ browser }) => shoot(browser, 'dark'));
