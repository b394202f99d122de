// One spec, both hosts: the browser host here, the real Electron app with E2E_HOST=electron.
import { test, expect } from './support/app-test';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DashboardPage } from './pages/dashboard.page';
import { LogsPage } from './pages/logs.page';
import { SHELL_KEY, launchHost, standInStackYaml, type HostHandle } from './support/host';
import { alive, freePort } from './support/free-port';

let host: HostHandle | undefined;

test.afterEach(async () => {
  const code = await host?.stop();
  host = undefined;
  expect(code, 'the browser host stops the stack and exits 0 on SIGTERM').toBe(0);
});

test('starts the stack from the UI in dependency order, then stops it with no child left', async ({
  page,
}) => {
  const serverPort = await freePort();
  host = await launchHost(standInStackYaml({ serverPort, temporal: 'discover' }), SHELL_KEY);
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  // Temporal is not installed on this machine: it says where it looked; the rest still runs.
  await dash.expectState('temporal', 'not-installed');
  await expect(dash.field('temporal', 'searched')).toContainText('PATH');

  // Record every state each service passes through, from the live events the page receives.
  const seen: string[] = [];
  await page.exposeFunction('recordState', (entry: string) => seen.push(entry));
  await page.evaluate(() => {
    const last: Record<string, string> = {};
    window.stigmer.on('services:changed', (snap) => {
      for (const s of snap.services) {
        if (last[s.name] !== s.state) {
          last[s.name] = s.state;
          void (window as unknown as { recordState(e: string): void }).recordState(
            `${s.name}:${s.state}`,
          );
        }
      }
    });
  });

  await expect(dash.stackState()).toContainText('Stopped');
  await dash.startAll();
  await expect(page.getByRole('button', { name: 'Start all' })).toBeDisabled();
  await dash.expectState('stigmer-server', 'ready');
  await dash.expectState('agent-runner', 'ready');
  await expect(dash.stackState()).toContainText('Running · 2 of 2 ready');
  await expect(dash.field('stigmer-server', 'port')).toHaveText(`:${serverPort}`);

  await dash.expectState('temporal', 'not-installed');
  // The runner became ready only after the server was ready.
  expect(seen.indexOf('stigmer-server:ready')).toBeGreaterThanOrEqual(0);
  expect(seen.indexOf('agent-runner:starting')).toBeGreaterThan(
    seen.indexOf('stigmer-server:ready'),
  );

  // CPU and memory of each running service, sampled by main every 2 s (CPU from the second).
  for (const name of ['stigmer-server', 'agent-runner']) {
    await expect(dash.field(name, 'memory')).toHaveText(/^\d+ MB$/);
    await expect(dash.field(name, 'cpu')).toHaveText(/^[\d.]+%$/, { timeout: 10_000 });
  }
  await expect(dash.field('temporal', 'memory')).toHaveText('—');

  await mkdir(resolve('docs'), { recursive: true });
  await page.screenshot({ path: resolve('docs/dashboard.png') });

  const pids = [await dash.pid('stigmer-server'), await dash.pid('agent-runner')];
  expect(pids.every(alive)).toBe(true);

  await dash.stopAll();
  await dash.expectState('agent-runner', 'stopped');
  await dash.expectState('stigmer-server', 'stopped');
  await expect(dash.stackState()).toContainText('Stopped');
  expect(pids.filter(alive), 'no child pid survives Stop all').toEqual([]);
  // Reverse order: the runner stopped before the server.
  const stoppedOrder = seen.filter((e) => e.endsWith(':stopped')).slice(-2);
  expect(stoppedOrder).toEqual(['agent-runner:stopped', 'stigmer-server:stopped']);
  await expect(dash.field('stigmer-server', 'memory')).toHaveText('—');
});

test('a child killed from outside goes to backoff, restarts, and the restart count shows it', async ({
  page,
}) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }), SHELL_KEY);
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  await dash.startAll();
  await dash.expectState('agent-runner', 'ready');
  const before = await dash.pid('agent-runner');
  await expect(dash.field('agent-runner', 'restarts')).toHaveText('0');

  process.kill(before, 'SIGKILL');
  await dash.expectState('agent-runner', 'backoff');
  await expect(dash.state('agent-runner')).toHaveText('Restarting soon');
  await dash.expectState('agent-runner', 'ready');
  await expect(dash.field('agent-runner', 'restarts')).toHaveText('1');
  const after = await dash.pid('agent-runner');
  expect(after).not.toBe(before);
  expect(alive(before)).toBe(false);
  await dash.expectState('stigmer-server', 'ready');

  // The runner's log says, in Stigmer Local's own lines, where it died and came back.
  const logs = new LogsPage(page);
  await logs.open();
  await logs.pickTab('Agent runner');
  const system = logs.list().locator('[data-stream="system"]');
  await expect(system.filter({ hasText: `── exited (pid ${before})` })).toHaveCount(1);
  await expect(system.filter({ hasText: '── restarting' })).toHaveCount(1);
  await expect(system.filter({ hasText: `── ready (pid ${after})` })).toHaveCount(1);
});

test('a child that always crashes ends in failed with its last line shown', async ({ page }) => {
  host = await launchHost(
    standInStackYaml({ serverPort: await freePort(), runnerMode: 'crash', crashLoopCount: 3 }),
    SHELL_KEY,
  );
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  await dash.startAll();
  await dash.expectState('stigmer-server', 'ready');
  await dash.expectState('agent-runner', 'failed');
  await expect(dash.field('agent-runner', 'last-error')).toContainText(
    'Fatal error in runner: TransportError',
  );
  await expect(dash.field('agent-runner', 'last-error')).toContainText('3 times');
  // A non-critical service failing does not take the stack down.
  await expect(dash.stackState()).toContainText('Degraded');
  await expect(dash.field('agent-runner', 'pid')).toHaveText('—');
});

test('a stack whose server port is taken says which process holds it', async ({ page }) => {
  const serverPort = await freePort();
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `require('net').createServer().listen(${serverPort}, '127.0.0.1', () => console.log('up'))`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((r) => holder.stdout!.once('data', r));
  try {
    host = await launchHost(standInStackYaml({ serverPort }), SHELL_KEY);
    const dash = new DashboardPage(page);
    await dash.open(host.url);
    await dash.startAll();
    await dash.expectState('stigmer-server', 'failed');
    const error = dash.field('stigmer-server', 'last-error');
    await expect(error).toContainText(`Port ${serverPort}`);
    await expect(error).toContainText(`pid ${holder.pid}`);
    await expect(error).toContainText('node');
    // The row says it; the banner above does not say it a second time.
    await expect(page.getByRole('alert').filter({ hasText: `Port ${serverPort}` })).toHaveCount(0);
    // The runner depends on the failed critical server and was never started.
    await dash.expectState('agent-runner', 'stopped');
  } finally {
    holder.kill('SIGKILL');
  }
});

test('a bad edit to the stack file names the field; the running stack keeps going', async ({
  page,
}) => {
  const serverPort = await freePort();
  host = await launchHost(standInStackYaml({ serverPort }), SHELL_KEY);
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  await dash.startAll();
  await dash.expectState('agent-runner', 'ready');
  const runnerPid = await dash.pid('agent-runner');

  await writeFile(
    join(host.userDataDir, 'stack.yaml'),
    'services:\n  agent-runner:\n    readiness: { port: 7234 }\n',
  );
  await page.getByRole('button', { name: 'Reload stack file' }).click();
  const banner = page.locator('[data-field="stack-file-error"]');
  await expect(banner).toContainText('services.agent-runner.readiness');
  await expect(banner).toContainText('last good stack keeps running');
  await dash.expectState('agent-runner', 'ready');
  expect(await dash.pid('agent-runner')).toBe(runnerPid);
  expect(alive(runnerPid)).toBe(true);
});

test('a program located in Settings is found at once; a relative path is explained and kept', async ({
  page,
}) => {
  const serverPort = await freePort();
  host = await launchHost(standInStackYaml({ serverPort, temporal: 'discover' }), SHELL_KEY);
  const dash = new DashboardPage(page);
  await dash.open(host.url);
  await dash.expectState('temporal', 'not-installed');
  await expect(dash.field('temporal', 'searched')).toContainText('Settings → Programs');

  await page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('button', { name: 'Settings' })
    .click();
  // Start at login is the desktop app's: here it is shown, off, and says why it cannot be changed.
  const login = page.locator('[data-field="launch-at-login"]');
  await expect(login.getByRole('checkbox')).toBeDisabled();
  await expect(login.getByRole('checkbox')).not.toBeChecked();
  await expect(login).toContainText('Available in the desktop app');

  const programs = page.locator('[data-field="programs"]');
  const temporal = programs.getByLabel('temporal', { exact: true });
  const found = programs.locator('[data-field="program-state"][data-service="temporal"]');
  await expect(found).toHaveText('not found');
  // No native file dialog behind the browser host: the path is typed.
  await expect(programs.getByRole('button', { name: /^Locate/ })).toHaveCount(0);

  await temporal.fill('bin/temporal');
  await programs.getByRole('button', { name: 'Save locations' }).click();
  await expect(programs.getByRole('alert')).toContainText('full path');
  await expect(temporal).toHaveValue('bin/temporal');

  // Any program stands in for Temporal here: it is found, not started.
  await temporal.fill(resolve('e2e/fixtures/stand-in-server.mjs'));
  await programs.getByRole('button', { name: 'Save locations' }).click();
  await expect(programs.getByRole('status')).toContainText('looked for again');
  await expect(found).toHaveText('found');

  await page.reload();
  await expect(
    page.locator('[data-field="programs"]').getByLabel('temporal', { exact: true }),
  ).toHaveValue(resolve('e2e/fixtures/stand-in-server.mjs'));
  await page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('button', { name: 'Services' })
    .click();
  await dash.expectState('temporal', 'stopped');
  await dash.expectState('stigmer-server', 'stopped');
});
