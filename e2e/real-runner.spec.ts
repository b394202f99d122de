import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DashboardPage } from './pages/dashboard.page';
import { KeysPage } from './pages/keys.page';
import { SettingsPage } from './pages/settings.page';
import { canaryKey, filesContaining } from './support/canary';
import { alive, freePort } from './support/free-port';
import { launchHost, SHELL_KEY, type HostHandle } from './support/host';
import {
  bundleWithSourceMap,
  journal,
  realRunnerPaths,
  realRunnerStackYaml,
  runnerRuns,
  startTemporalDouble,
  type RealRunnerPaths,
  type TemporalDouble,
} from './support/real-runner';

/*
 * The real-runner lane: the published @stigmer/runner-slim (installed by scripts/setup-runner.sh,
 * outside the repo) supervised by the real browser host, against a Temporal test double. In CI a
 * missing runner is an error (the setup step failed); on a developer machine the lane is skipped
 * and says how to install it.
 */

const inCi = !!process.env.CI;
let paths: RealRunnerPaths;
let bundleDir = '';
let bundle = '';
let host: HostHandle | undefined;
let double: TemporalDouble | undefined;

/** In CI, .ci/run installs the runner in the background: wait for its status file. */
async function waitForBackgroundSetup(): Promise<void> {
  const statusFile = process.env.STIGMER_RUNNER_SETUP_STATUS;
  if (!statusFile) return;
  const log = process.env.STIGMER_RUNNER_SETUP_LOG ?? '(no log named)';
  await expect
    .poll(() => existsSync(statusFile), {
      message: `the runner setup in the background did not finish; see ${log}`,
      timeout: 12 * 60_000,
      intervals: [1_000],
    })
    .toBe(true);
  const code = readFileSync(statusFile, 'utf8').trim();
  const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
  expect(code, `scripts/setup-runner.sh failed (exit ${code}); ${log} ends:\n${tail}`).toBe('0');
}

test.beforeAll(async () => {
  test.setTimeout(13 * 60_000);
  await waitForBackgroundSetup();
  const found = realRunnerPaths();
  if ('missing' in found) {
    if (inCi) throw new Error(`CI runs the real-runner lane, but ${found.missing}`);
    test.skip(true, `Skipped: ${found.missing}`);
    return;
  }
  paths = found.paths;
  bundleDir = await mkdtemp(join(tmpdir(), 'stigmer-real-runner-'));
  bundle = await bundleWithSourceMap(paths.main, bundleDir);
});

test.afterAll(async () => {
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

test.afterEach(async () => {
  const code = await host?.stop();
  host = undefined;
  await double?.stop();
  double = undefined;
  expect(code).toBe(0);
});

/** The host as a user who installed the runner with npm: STIGMER_RUNNER_BIN is the bin link. */
async function launch(temporalPort: number, env: Record<string, string>, timeout?: string) {
  host = await launchHost(
    realRunnerStackYaml({ temporalPort, bundle, readinessTimeout: timeout }),
    {
      STIGMER_RUNNER_BIN: paths.bin,
      STIGMER_NODE: '',
      ...env,
    },
  );
  return host;
}

async function openDashboard(page: Page): Promise<DashboardPage> {
  const dash = new DashboardPage(page);
  await dash.open(host!.url);
  return dash;
}

/** Direct children of `pid` whose command line contains `needle`. */
async function childrenRunning(pid: number, needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== pid) continue;
    if ((await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).includes(needle)) {
      found.push(Number(name));
    }
  }
  return found;
}

const runnerLog = () => join(host!.userDataDir, 'logs', 'agent-runner.log');
const readRunnerLog = () => readFile(runnerLog(), 'utf8').catch(() => '');
const signals = async () =>
  (await journal(host!.userDataDir))
    .filter((e) => e.service === 'agent-runner' && e.type === 'service.signal')
    .map((e) => e.detail);

test('only Node 20: the row says "Needs Node 22.13+" with why and what to do; nothing is spawned or retried', async ({
  page,
}) => {
  test.skip(
    !/^v20\./.test(process.version),
    `needs a Node 20 to run the host (this is ${process.version})`,
  );
  await launch(await freePort(), SHELL_KEY);
  const dash = await openDashboard(page);
  // Known at load, before any start: the program is found, no Node fits it.
  await dash.expectState('agent-runner', 'not-installed');
  await expect(dash.state('agent-runner')).toHaveText('Needs Node 22.13+');
  const why = dash.field('agent-runner', 'last-error');
  await expect(why).toContainText(/agent-runner needs Node >= 22\.13; found v20\.\d+\.\d+ at \//);
  await expect(why).toContainText('Settings → Programs → Node');

  // The old behaviour retried within 1-4 s, five times: give it longer than the first backoff.
  await page.waitForTimeout(3_000);
  await dash.expectState('agent-runner', 'not-installed');
  expect(await runnerRuns(host!.userDataDir)).toEqual([]);
  expect(await childrenRunning(host!.process.pid!, paths.main)).toEqual([]);
  expect(await readRunnerLog()).not.toMatch(/starting|restarting/);
});

test('Settings → Programs → Node applies at once; nothing on the Temporal port -> "Waiting for Temporal"; the double opens it -> Ready', async ({
  page,
}) => {
  const port = await freePort();
  await launch(port, SHELL_KEY);
  const dash = await openDashboard(page);
  // Under a host Node >= 22.13 (not CI's Node 20) the app's own Node already fits the runner.
  if (/^v20\./.test(process.version)) await dash.expectState('agent-runner', 'not-installed');

  const settings = new SettingsPage(page);
  await settings.open();
  await settings.setProgram(/^Node\b/i, paths.node22);
  await page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('button', { name: 'Services' })
    .click();
  // At once: the row no longer needs a Node, without a restart of the app.
  await expect(dash.state('agent-runner')).not.toHaveAttribute('data-state', 'not-installed');
  await expect(dash.row('agent-runner')).not.toContainText('Needs Node');
  const version = execFileSync(paths.node22, ['--version'], { encoding: 'utf8' }).trim();
  await expect(dash.row('agent-runner').locator('[data-field="runtime"]')).toHaveText(
    `Node ${version} (Settings)`,
  );

  await page.getByRole('button', { name: 'Start Agent runner', exact: true }).click();
  await dash.expectState('agent-runner', 'waiting');
  await expect(dash.row('agent-runner')).toContainText(`Waiting for Temporal at 127.0.0.1:${port}`);
  await expect(dash.row('agent-runner')).toContainText('temporal server start-dev');
  // Waiting spawns nothing and counts no restart.
  expect(await childrenRunning(host!.process.pid!, paths.main)).toEqual([]);
  await expect(dash.field('agent-runner', 'restarts')).toHaveText('0');

  double = await startTemporalDouble(port, 'answer');
  await expect(dash.state('agent-runner')).toHaveAttribute('data-state', 'ready', {
    timeout: 90_000,
  });
  expect(await readRunnerLog()).toContain('Worker ready, polling for tasks');
  expect(double.lines).toContain('call GetSystemInfo');
  const pid = await dash.pid('agent-runner');
  // The Node the app chose runs the runner's bin target (not the app's own Node 20).
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  expect(argv[0]).toBe(paths.node22);
  expect(argv[1]).toBe(paths.main);
  await expect(dash.field('agent-runner', 'restarts')).toHaveText('0');

  // A user stop of a ready runner: SIGTERM, said in the journal; the runner stops gracefully.
  await page.getByRole('button', { name: 'Stop Agent runner', exact: true }).click();
  await dash.expectState('agent-runner', 'stopped');
  expect(alive(pid)).toBe(false);
  expect((await signals()).join('\n')).toMatch(/SIGTERM to pid \d+.*user stop/);
  await expect.poll(readRunnerLog).toContain('Received SIGTERM, stopping worker gracefully');
});

test('a Temporal that never answers: Stop works while the runner connects, SIGTERM then SIGKILL in the journal', async ({
  page,
}) => {
  const port = await freePort();
  double = await startTemporalDouble(port, 'silent');
  await launch(port, { ...SHELL_KEY, STIGMER_NODE: paths.node22 });
  const dash = await openDashboard(page);
  await dash.startAll();
  await dash.expectState('agent-runner', 'starting');
  // Connected and stuck: the runner ignores SIGTERM from here until its own 30 s timeout. The
  // first connection is the app's own probe of the address (wait_for); the runner's comes after
  // its "Task queue" line.
  await expect.poll(readRunnerLog, { timeout: 60_000 }).toContain('[runner] Task queue:');
  await expect
    .poll(() => double!.lines.filter((l) => l === 'connection').length, { timeout: 60_000 })
    .toBeGreaterThanOrEqual(2);
  const pid = await dash.pid('agent-runner');

  const stop = page.getByRole('button', { name: 'Stop Agent runner', exact: true });
  await expect(stop).toBeEnabled();
  await stop.click();
  // Promptly: the stack file's 3 s grace, then SIGKILL; far sooner than the runner's own exit.
  await dash.expectState('agent-runner', 'stopped');
  expect(alive(pid)).toBe(false);
  const story = (await signals()).join('\n');
  expect(story).toMatch(new RegExp(`SIGTERM to pid ${pid}.*user stop`));
  expect(story).toMatch(new RegExp(`SIGKILL to pid ${pid}`));
  const log = await readRunnerLog();
  expect(log).toContain('SIGTERM');
  expect(log).toContain('SIGKILL');
  expect(await childrenRunning(host!.process.pid!, paths.main)).toEqual([]);
});

test("a Temporal that never answers, left alone: the row shows the runner's own reason (GetSystemInfo timed out)", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const port = await freePort();
  double = await startTemporalDouble(port, 'silent');
  // A readiness timeout longer than the runner's own 30 s connect timeout: its reason arrives first.
  await launch(port, { ...SHELL_KEY, STIGMER_NODE: paths.node22 }, '150s');
  const dash = await openDashboard(page);
  await dash.startAll();
  await dash.expectState('agent-runner', 'starting');
  const why = dash.field('agent-runner', 'last-error');
  await expect(why).toContainText('GetSystemInfo', { timeout: 150_000 });
  await expect(why).toContainText(`127.0.0.1:${port}`);
  await expect(why).not.toContainText('readiness timeout');
  expect(await readRunnerLog()).toMatch(/Failed to call GetSystemInfo.*Timeout expired/);
});

test("a key typed in the dialog is in the real runner's environ and nowhere else", async ({
  page,
}) => {
  const port = await freePort();
  double = await startTemporalDouble(port, 'answer');
  await launch(port, { STIGMER_NODE: paths.node22 });
  const dash = await openDashboard(page);
  const keys = new KeysPage(page);
  await dash.startAll();
  await keys.expectDialog('Anthropic API key');
  const canary = canaryKey('real');
  await keys.enterKey(canary, { remember: false });
  await expect(dash.state('agent-runner')).toHaveAttribute('data-state', 'ready', {
    timeout: 90_000,
  });
  const pid = await dash.pid('agent-runner');
  expect(await readFile(`/proc/${pid}/environ`, 'utf8')).toContain(`ANTHROPIC_API_KEY=${canary}`);

  // Every process: the canary is in no argv, and in no environment outside the runner's group.
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    expect(cmdline.includes(canary), `canary in argv of pid ${name}`).toBe(false);
    const environ = await readFile(`/proc/${name}/environ`, 'utf8').catch(() => '');
    if (!environ.includes(canary)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8');
    const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    expect(pgid, `canary in the environment of pid ${name}`).toBe(pid);
  }
  expect(await filesContaining(host!.userDataDir, canary)).toEqual([]);
  expect(await filesContaining(bundleDir, canary)).toEqual([]);
  expect(JSON.stringify(await journal(host!.userDataDir))).not.toContain(canary);
  expect(await readRunnerLog()).toContain('Worker ready');
  expect(host!.output.join('\n')).not.toContain(canary);
  expect(double.lines.join('\n')).not.toContain(canary);
  expect(await page.content()).not.toContain(canary);
});

test('rotation against the real runner: it restarts with the new key only, the old one is in no process', async ({
  page,
}) => {
  const port = await freePort();
  double = await startTemporalDouble(port, 'answer');
  await launch(port, { STIGMER_NODE: paths.node22 });
  const dash = await openDashboard(page);
  const keys = new KeysPage(page);
  await dash.startAll();
  await keys.expectDialog('Anthropic API key');
  const first = canaryKey('rot1');
  await keys.enterKey(first, { remember: false });
  await expect(dash.state('agent-runner')).toHaveAttribute('data-state', 'ready', {
    timeout: 90_000,
  });
  const pid1 = await dash.pid('agent-runner');

  const second = canaryKey('rot2');
  await keys.openView();
  await keys.rotate('ANTHROPIC_API_KEY');
  await keys.expectDialog('Rotate Anthropic API key');
  await keys.enterKey(second);
  const notice = page.locator('[data-field="rotation-notice"]');
  // The real runner boots in 5-15 s; the rotation waits for its "Worker ready".
  await expect(notice).toHaveAttribute('data-outcome', 'rotated', { timeout: 90_000 });
  await keys.openServices();
  await dash.expectState('agent-runner', 'ready');
  const pid2 = await dash.pid('agent-runner');
  expect(pid2).not.toBe(pid1);
  expect(alive(pid1)).toBe(false);
  const environ = await readFile(`/proc/${pid2}/environ`, 'utf8');
  expect(environ).toContain(`ANTHROPIC_API_KEY=${second}`);
  expect(environ).not.toContain(first);
  expect((await signals()).join('\n')).toMatch(new RegExp(`SIGTERM to pid ${pid1}.*rotation`));
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(`/proc/${name}/environ`, 'utf8').catch(() => '');
    expect(environ.includes(first), `the old key in the environment of pid ${name}`).toBe(false);
  }
  for (const value of [first, second]) {
    expect(await filesContaining(host!.userDataDir, value)).toEqual([]);
    expect(host!.output.join('\n')).not.toContain(value);
  }
});
