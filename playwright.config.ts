import { defineConfig } from '@playwright/test';

/**
 * e2e runs the real renderer in Debian's Chromium through the loopback browser host (the
 * default here, since no Electron binary can be downloaded). Never `playwright install`.
 * Projects: `app` (stand-in services), `real-runner` (the published Stigmer runner from
 * scripts/setup-runner.sh; `npx playwright test --project real-runner` runs it alone) and
 * `screenshots` (`npm run screenshots`, docs only).
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  retries: 0,
  projects: [
    { name: 'app', testIgnore: ['real-runner.spec.ts', 'bundled-runner.spec.ts'] },
    // The real runner takes 5-15 s to boot and up to ~45 s to give up on a silent Temporal.
    {
      name: 'real-runner',
      testMatch: ['real-runner.spec.ts', 'bundled-runner.spec.ts'],
      timeout: 120_000,
    },
    // `npm run screenshots` (docs/screenshots): not part of `npm test`.
    { name: 'screenshots', testMatch: 'screenshots.shots.ts' },
  ],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1100, height: 720 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
});
