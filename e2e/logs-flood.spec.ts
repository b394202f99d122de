// One spec, both hosts: the browser host here, the real Electron app with E2E_HOST=electron.
import { test, expect } from './support/app-test';
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

// 3,000 lines/s fills a view's 100,000-line ring in ~33 s, and a view held still drifts from the
// newest end to the oldest (where its lines leave) in as long again: the window the steps below
// have, even on a loaded machine where the page answers the test late. The flood outlasts the
// test (the host stops it), so every step runs while lines leave the ring.
const TOTAL = 2_000_000;
const RATE = 3_000;
const TERM = 'failure number';

// Known flake, not yet understood: in 1 of 3 fresh-clone CI runs on a loaded 2-core machine the
// current search match was not rendered after a Next while flooding (element not found). One
// retry keeps CI honest about everything else while that is investigated; both tries must make
// the same assertions.
test.describe.configure({ retries: 1 });

test('under a flood with the ring full, a scrolled-up view holds its lines, says how many left, and search lands on live rows', async ({
  page,
}) => {
  test.setTimeout(240_000);
  host = await launchHost(
    standInStackYaml({ serverPort: await freePort(), extra: floodServiceYaml(TOTAL, RATE) }),
    SHELL_KEY,
  );
  const dash = new DashboardPage(page);
  const logs = new LogsPage(page);
  await dash.open(host.url);
  await dash.startAll();
  await dash.expectState('flooder', 'ready');
  await page.getByRole('button', { name: 'Logs for flooder' }).click();
  await expect(logs.tab('flooder')).toHaveAttribute('aria-selected', 'true');

  // The ring is full once older lines start leaving it; the notice counts them.
  await expect(logs.evictedNotice()).toBeVisible({ timeout: 120_000 });
  await expect(logs.evictedNotice()).toContainText('left the view (kept in the log file)');
  await expect(logs.lineCount()).toContainText('100,000 lines');

  // Scrolled up with Follow off, the same line stays at the top while the flood goes on.
  await logs.scrollUp(3000);
  await expect(logs.toggle('Follow')).toHaveAttribute('aria-pressed', 'false');
  await page.waitForTimeout(300); // let the wheel's scroll settle before recording the top row
  const held = await logs.topVisibleRow();
  const leftBefore = await logs.evictedCount();
  await page.waitForTimeout(2000);
  const after = await logs.topVisibleRow();
  const leftAfter = await logs.evictedCount();
  const figures = `top row seq ${held.seq} -> ${after.seq} (moved ${after.seq - held.seq} lines) while ${leftAfter - leftBefore} lines left the ring in 2 s`;
  test.info().annotations.push({ type: 'figures', description: figures });
  console.log(figures);
  // The flood really went on (otherwise holding still would prove nothing).
  expect(leftAfter).toBeGreaterThan(leftBefore);
  expect(held.text).toMatch(/tick|failure|slow tick/);
  expect(after).toEqual(held);

  // Search while flooding: every Next lands on a row that is on screen and holds the term. The
  // held view has drifted towards the oldest lines meanwhile (they leave; its line stays on top),
  // so the search starts again from a view a few screens above the newest line.
  await logs.jumpToLatestAndFollow();
  await logs.scrollUp(3000);
  await logs.search(TERM);
  await expect(logs.matchCount()).toHaveText(/^[\d,]+ of [\d,]+$/);
  await expect(logs.currentMatch()).toBeInViewport();
  await expect(logs.currentMatch()).toContainText(TERM);
  let last = Number(await logs.currentMatch().getAttribute('data-seq'));
  for (let i = 0; i < 8; i++) {
    await logs.next();
    await expect(logs.currentMatch()).toBeInViewport();
    await expect(logs.currentMatch()).toContainText(TERM);
    const seq = Number(await logs.currentMatch().getAttribute('data-seq'));
    // Next goes forward (by identity): the flooder writes a failure line every 50 lines.
    expect(seq).toBeGreaterThan(last);
    last = seq;
    await page.waitForTimeout(250);
  }
  expect(await logs.evictedCount()).toBeGreaterThan(leftAfter);

  // "Open full log" points at the files that still hold every line.
  await logs.openFullLog();
  await expect(logs.status().locator('[data-field="folder"]')).toBeVisible();
});
