import { _electron, type ElectronApplication, type Page } from '@playwright/test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { HostHandle } from './host';

// The Electron lane (E2E_HOST=electron): the same stack file and environment as the browser
// host, but the real app (dist/main/main.js) under Playwright's _electron.launch. It needs the
// Electron binary, so it runs in .github/workflows/desktop.yml, never on the build machines.

const root = resolve(import.meta.dirname, '../..');

/** Which host the e2e suite drives: the loopback browser host (default) or the Electron app. */
export const E2E_HOST: 'browser' | 'electron' =
  process.env.E2E_HOST === 'electron' ? 'electron' : 'browser';

/** The window of the Electron app launched last; the app-test fixture's page forwards to it. */
export let currentElectronWindow: Page | null = null;

/** What an Electron launch adds to a HostHandle. */
export interface ElectronHostHandle extends HostHandle {
  app: ElectronApplication;
  window: Page;
  /** The environment it was launched with (a second launch with it finds the same data dir). */
  env: Record<string, string>;
}

/**
 * Where main.ts puts its data: userData is pinned to `<appData>/Stigmer Local`, and appData is
 * derived from HOME (macOS), XDG_CONFIG_HOME (Linux) or APPDATA (Windows), all set to `home`.
 */
function dataDirFor(home: string): string {
  const appData = process.platform === 'darwin' ? join(home, 'Library/Application Support') : home;
  return join(appData, 'Stigmer Local');
}

/** Launch the real Electron app with a temp home and the given stack file. */
export async function launchElectronHost(
  stackYaml: string,
  extraEnv: Record<string, string> = {},
): Promise<ElectronHostHandle> {
  const home = await mkdtemp(join(tmpdir(), 'stigmer-e2e-electron-'));
  const userDataDir = dataDirFor(home);
  await mkdir(userDataDir, { recursive: true });
  await writeFile(join(userDataDir, 'stack.yaml'), stackYaml);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    // The developer's own keys never reach a test host.
    if (value !== undefined && !/^(ANTHROPIC|OPENAI|CURSOR)_API_KEY$/.test(name)) env[name] = value;
  }
  Object.assign(env, { HOME: home, XDG_CONFIG_HOME: home, APPDATA: home }, extraEnv);
  const app = await _electron.launch({
    // The sandbox stays on: on Ubuntu 24.04 desktop.yml lifts the user-namespace restriction
    // first (as the app's own deb/AppArmor setup does for users), so the lane tests the real app.
    args: [root],
    cwd: root,
    env,
    timeout: 30_000,
  });
  const output: string[] = [];
  const child = app.process();
  createInterface({ input: child.stdout! }).on('line', (l) => output.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(`[stderr] ${l}`));
  const window = await app.firstWindow();
  currentElectronWindow = window;
  return {
    url: window.url(),
    userDataDir,
    process: child,
    output,
    app,
    window,
    env,
    async stop() {
      if (currentElectronWindow === window) currentElectronWindow = null;
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      // SIGTERM runs the app's quit flow (stop the stack, then exit 0) like the browser host's;
      // Windows has no SIGTERM for a GUI process, so ask the app to quit through Playwright.
      if (process.platform === 'win32') await app.close();
      else child.kill('SIGTERM');
      const code = await exited;
      await rm(home, { recursive: true, force: true });
      return code;
    },
  };
}
