import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DashboardPage } from './pages/dashboard.page';
import { freePort } from './support/free-port';
import { launchHost, SHELL_KEY, type HostHandle } from './support/host';
import {
  realRunnerPaths,
  startTemporalDouble,
  type RealRunnerPaths,
  type TemporalDouble,
} from './support/real-runner';

/*
 * The runner the app carries, under the real browser host: the tree scripts/stage-runner.mjs
 * stages (the one electron-builder packs), found through $STIGMER_LOCAL_BUNDLED_RUNNER as the
 * desktop app finds <resources>/runner. With nothing installed it runs, its row says
 * "bundled 3.8.0", and it becomes Ready with no workaround for runner 3.8.0's workflow bundle
 * (the staged copy carries the fix); a runner the user installed wins and the row names its
 * path. Runs in the real-runner project (the real runner's boot times); in CI a missing runner
 * is an error.
 */

const root = resolve(import.meta.dirname, '..');
const staged = join(root, 'build/runner');
const stagedMain = join(staged, 'node_modules/@stigmer/runner-slim/main.js');
const pin = JSON.parse(readFileSync(join(root, 'resources/runner/runner-pin.json'), 'utf8')) as {
  version: string;
};

let paths: RealRunnerPaths;
let host: HostHandle | undefined;
let double: TemporalDouble | undefined;

test.beforeAll(async () => {
  test.setTimeout(13 * 60_000);
  // Staging waits for CI's background runner setup and reuses its cache (seconds when warm).
  try {
    execFileSync(process.execPath, [join(root, 'scripts/stage-runner.mjs')], { stdio: 'pipe' });
  } catch (error) {
    const why = String((error as { stderr?: Buffer }).stderr ?? error);
    if (process.env.CI) {
      throw new Error(`staging the bundled runner failed:\n${why}`, { cause: error });
    }
    test.skip(
      true,
      `Skipped: the runner could not be staged (bash scripts/setup-runner.sh installs it):\n${why}`,
    );
    return;
  }
  const found = realRunnerPaths();
  if ('missing' in found) throw new Error(`staged, yet ${found.missing}`);
  paths = found.paths;
});

test.afterEach(async () => {
  const code = await host?.stop();
  host = undefined;
  await double?.stop();
  double = undefined;
  expect(code).toBe(0);
});

/**
 * Only the runner, pointed at the Temporal double. Unlike the real-runner lane, no
 * STIGMER_WORKFLOW_BUNDLE: the staged tree carries the workflow-bundle fix (stage-runner.mjs).
 */
function stackYaml(temporalPort: number): string {
  return `# written by the bundled-runner e2e spec
services:
  temporal:
    enabled: false
  stigmer-server:
    enabled: false
  agent-runner:
    env:
      TEMPORAL_SERVICE_ADDRESS: "127.0.0.1:${temporalPort}"
    readiness: { log: "Worker ready, polling for tasks", stream: stdout, timeout: 60s }
    stop: { signal: SIGTERM, grace: 3s }
`;
}

/** The host with the staged tree as its bundled runner, a Node 22 from STIGMER_NODE. */
async function launch(port: number, env: Record<string, string> = {}) {
  host = await launchHost(stackYaml(port), {
    ...SHELL_KEY,
    STIGMER_LOCAL_BUNDLED_RUNNER: staged,
    // The host's own Node may be 20 (CI): the runner needs >= 22.13.
    STIGMER_NODE: paths.node22,
    STIGMER_RUNNER_BIN: '',
    ...env,
  });
  return host;
}

async function openDashboard(page: Page): Promise<DashboardPage> {
  const dash = new DashboardPage(page);
  await dash.open(host!.url);
  return dash;
}

const program = (dash: DashboardPage) => dash.row('agent-runner').locator('[data-field="program"]');

test(`nothing installed: the bundled runner becomes Ready and the row says "bundled ${pin.version}"`, async ({
  page,
}) => {
  const port = await freePort();
  double = await startTemporalDouble(port, 'answer');
  await launch(port);
  const dash = await openDashboard(page);
  await expect(program(dash)).toHaveText(`bundled ${pin.version}`);

  await page.getByRole('button', { name: 'Start Agent runner', exact: true }).click();
  await expect(dash.state('agent-runner')).toHaveAttribute('data-state', 'ready', {
    timeout: 90_000,
  });
  const pid = await dash.pid('agent-runner');
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  expect(argv[0]).toBe(paths.node22);
  expect(argv[1]).toBe(stagedMain);
  expect(double.lines).toContain('call GetSystemInfo');
  // Still says so once it runs.
  await expect(program(dash)).toHaveText(`bundled ${pin.version}`);
});

test('a runner the user installed wins over the bundled one, and the row names its path', async ({
  page,
}) => {
  await launch(await freePort(), { STIGMER_RUNNER_BIN: paths.bin });
  const dash = await openDashboard(page);
  await expect(program(dash)).toHaveText(realpathSync(paths.main));
  await expect(program(dash)).toHaveAttribute('title', realpathSync(paths.main));
  await expect(dash.row('agent-runner')).not.toContainText('bundled');
});
