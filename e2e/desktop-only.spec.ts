import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { DashboardPage } from './pages/dashboard.page';
import { test, expect } from './support/app-test';
import { E2E_HOST, type ElectronHostHandle } from './support/electron-host';
import { alive, freePort } from './support/free-port';
import { launchHost, SHELL_KEY, standInStackYaml } from './support/host';

// What only the desktop app has: close-to-tray, a second launch focusing the first, and Quit
// stopping the stack. Electron lane only (E2E_HOST=electron in .github/workflows/desktop.yml);
// the build machines of this repository cannot download Electron, so these have run only there.
test.skip(E2E_HOST !== 'electron', 'needs the real Electron app (E2E_HOST=electron)');

let host: ElectronHostHandle | undefined;

test.afterEach(async () => {
  await host?.stop();
  host = undefined;
});

async function launchRunning(page: import('@playwright/test').Page): Promise<{
  dash: DashboardPage;
  pids: number[];
}> {
  host = (await launchHost(
    standInStackYaml({ serverPort: await freePort() }),
    SHELL_KEY,
  )) as ElectronHostHandle;
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  await dash.startAll();
  await dash.expectState('stigmer-server', 'ready');
  await dash.expectState('agent-runner', 'ready');
  return { dash, pids: [await dash.pid('stigmer-server'), await dash.pid('agent-runner')] };
}

/** Visible/destroyed state of every BrowserWindow, read in the main process. */
async function windows(app: ElectronHostHandle['app']): Promise<{ visible: boolean }[]> {
  return app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows()
      .filter((w) => !w.isDestroyed())
      .map((w) => ({ visible: w.isVisible() })),
  );
}

test('closing the window keeps the app and the stack running in the tray', async ({ page }) => {
  const { pids } = await launchRunning(page);
  await host!.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
  await expect.poll(() => windows(host!.app)).toEqual([{ visible: false }]);
  expect(host!.process.exitCode).toBeNull();
  for (const pid of pids) expect(alive(pid), `pid ${pid} still runs`).toBe(true);
});

test('a second launch shows the first window and exits', async ({ page }) => {
  await launchRunning(page);
  await host!.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.hide());
  await expect.poll(() => windows(host!.app)).toEqual([{ visible: false }]);
  // The same binary, app and environment (so the same data dir) as the running one.
  const electronPath = createRequire(import.meta.url)('electron') as unknown as string;
  const second = spawn(electronPath, [resolve(import.meta.dirname, '..')], {
    env: host!.env,
    stdio: 'ignore',
  });
  const code = await new Promise<number | null>((r) => second.once('exit', (c) => r(c)));
  expect(code, 'the second instance hands over and exits').not.toBeNull();
  await expect.poll(() => windows(host!.app)).toEqual([{ visible: true }]);
});

test('Quit stops every service before the app exits', async ({ page }) => {
  const { pids } = await launchRunning(page);
  const exited = new Promise<number | null>((r) => host!.process.once('exit', (c) => r(c)));
  // What the tray's Quit does: app.quit(), which runs the quit flow (stop the stack, then exit).
  await host!.app.evaluate(({ app }) => app.quit());
  expect(await exited).toBe(0);
  for (const pid of pids) expect(alive(pid), `pid ${pid} was stopped by Quit`).toBe(false);
});
