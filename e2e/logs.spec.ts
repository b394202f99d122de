// One spec, both hosts: the browser host here, the real Electron app with E2E_HOST=electron.
import { test, expect } from './support/app-test';
import { resolve } from 'node:path';
import { DashboardPage } from './pages/dashboard.page';
import { LogsPage } from './pages/logs.page';
import { freePort } from './support/free-port';
import {
  SHELL_KEY,
  floodServiceYaml,
  launchHost,
  standInStackYaml,
  type HostHandle,
} from './support/host';

let host: HostHandle | undefined;
test.afterEach(async () => {
  expect(await host?.stop()).toBe(0);
  host = undefined;
});

const TOTAL = 20_000;
const NEEDLE = Math.floor(TOTAL / 3);

/** The flooder's line i, as the viewer shows it: redacted, ANSI stripped (see stand-in-flood.mjs). */
function floodText(i: number): string {
  if (i === NEEDLE) return `[INFO] planted needle-${i} here`;
  if (i === NEEDLE + 1) return '[WARN] leaked [redacted:anthropic-key] in a debug print';
  if (i % 50 === 0) return `ERROR: failure number ${i}`;
  if (i % 10 === 0) return `{"level":"warn","msg":"slow tick","i":${i}}`;
  return `[INFO] tick ${i} ok`;
}

test('a flooding service: the viewer follows, pauses on scroll-up, searches, filters and exports exactly what it shows', async ({
  page,
}) => {
  host = await launchHost(
    standInStackYaml({ serverPort: await freePort(), extra: floodServiceYaml(TOTAL, 4000) }),
    SHELL_KEY,
  );
  const dash = new DashboardPage(page);
  const logs = new LogsPage(page);
  await dash.open(host.url);
  await dash.startAll();
  await dash.expectState('flooder', 'ready');

  await page.getByRole('button', { name: 'Logs for flooder' }).click();
  await expect(logs.tab('flooder')).toHaveAttribute('aria-selected', 'true');
  await expect(logs.toggle('Follow')).toHaveAttribute('aria-pressed', 'true');
  await expect(logs.rows().first()).toBeVisible();
  await expect.poll(() => logs.isAtBottom()).toBe(true);

  // Scrolling up pauses follow: the view holds still while lines keep arriving.
  await logs.scrollUp();
  await expect(logs.toggle('Follow')).toHaveAttribute('aria-pressed', 'false');
  const held = await logs.visibleRowTexts();
  await page.waitForTimeout(700);
  expect(await logs.visibleRowTexts()).toEqual(held);
  await logs.jumpToLatestAndFollow();
  await expect.poll(() => logs.isAtBottom()).toBe(true);

  // Wait for the whole flood, then search for the planted line.
  await logs.search('[flood] done');
  await expect(logs.matchCount()).toHaveText('1 of 1', { timeout: 30_000 });
  await logs.search(`needle-${NEEDLE}`);
  await expect(logs.matchCount()).toHaveText('1 of 1');
  await expect(logs.currentMatch()).toContainText(`planted needle-${NEEDLE}`);
  // The key-shaped value the service printed is shown redacted.
  await logs.search('leaked');
  await expect(logs.currentMatch()).toContainText('[redacted:anthropic-key]');
  await expect(logs.currentMatch()).not.toContainText('sk-ant-api03');
  await logs.search('');

  // Hide info lines: none is shown, and Export writes exactly the lines left.
  await logs.toggleLevel('info');
  await expect(logs.rows().first()).toBeVisible();
  for (const level of await logs
    .rows()
    .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.level))) {
    expect(level).not.toBe('info');
  }
  await page.screenshot({ path: resolve('docs/logs.png') });
  const exported = await logs.exportLines();
  expect(exported.name).toMatch(/^flooder-.*\.log$/);
  const lines = exported.text.trimEnd().split('\n');
  const expected: string[] = [];
  for (let i = 1; i <= TOTAL; i++) {
    const text = floodText(i);
    if (!text.startsWith('[INFO]')) expected.push(text);
  }
  expected.push(`[flood] done after ${TOTAL} lines`);
  const texts = lines.map((l) => {
    const m = /^\d{4}-\d\d-\d\dT[\d:.]+Z flooder stdout (.*)$/.exec(l);
    return m?.[1] ?? `UNPARSED: ${l}`;
  });
  // The stand-in's own start-up line has no level and is kept too.
  expect(texts.filter((t) => !t.startsWith('[runner]'))).toEqual(expected);
});
