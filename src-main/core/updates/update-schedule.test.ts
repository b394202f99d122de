import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InstallMarker } from './install-marker';
import type { UpdaterLike } from './types';
import { UPDATE_INTERVAL_MS, UPDATE_START_DELAY_MS, UpdateController } from './update-controller';
import { NO_UPDATER_REASON, updateHandlers } from './update-handlers';

// The schedule alone, with fake timers and a counting updater (the feed itself is covered by
// update-controller.test.ts against electron-updater's real classes).

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stigmer-schedule-'));
  vi.useFakeTimers();
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

function counting(): UpdaterLike & { checks: number } {
  const updater = {
    autoDownload: true,
    logger: null,
    checks: 0,
    checkForUpdates: async () => {
      updater.checks += 1;
      return { isUpdateAvailable: false, updateInfo: { version: '0.1.0' } };
    },
    downloadUpdate: async () => [],
    on: () => undefined,
  };
  return updater;
}

describe('update schedule', () => {
  it('checks once after the start delay, then daily on one timer, and not when off', async () => {
    const updater = counting();
    const controller = new UpdateController({
      updater,
      unavailableReason: null,
      currentVersion: '0.1.0',
      marker: new InstallMarker(dir),
      quitForInstall: () => undefined,
      log: () => undefined,
    });
    expect(updater.autoDownload).toBe(false); // the controller decides when to download
    controller.setEnabled(true);
    controller.start(); // called again by the shell: still one timer
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(UPDATE_START_DELAY_MS - 1);
    expect(updater.checks).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(updater.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(UPDATE_INTERVAL_MS);
    expect(updater.checks).toBe(2);
    expect(vi.getTimerCount()).toBe(1);
    // A manual check moves the daily one instead of adding a second timer.
    await controller.check();
    expect(updater.checks).toBe(3);
    expect(vi.getTimerCount()).toBe(1);
    controller.setEnabled(false);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(UPDATE_INTERVAL_MS * 2);
    expect(updater.checks).toBe(3);
  });

  it('the browser host has no updater: every channel says so', async () => {
    const handlers = updateHandlers(undefined, '0.1.0');
    for (const status of [
      await handlers['updates:status'](undefined),
      await handlers['updates:check'](undefined),
      await handlers['updates:install'](undefined),
    ]) {
      expect(status).toMatchObject({
        phase: 'unavailable',
        reason: NO_UPDATER_REASON,
        currentVersion: '0.1.0',
      });
    }
  });
});
