import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServiceStatus } from '../../../src-shared/model/service';
import type { UpdateStatus } from '../../../src-shared/model/updates';
import { BusyTracker, type StatusSource } from './busy-tracker';
import { InstallMarker } from './install-marker';
import { UpdateController } from './update-controller';
import {
  FeedUpdater,
  LocalFeed,
  artifactName,
  sha512Of,
  standInApp,
} from './test-support/local-feed';

// The "must show" of issue 14 item 4, against a local HTTP feed served by node:http and
// electron-updater's own classes (GenericProvider, AppUpdater's version check, the sha512 check
// in its download pipeline).

let dir: string;
let feed: LocalFeed;
const ARTIFACT = Buffer.from('Stigmer Local 0.2.0 — pretend installer bytes\n'.repeat(2000));

/** Statuses the busy tracker reads (the supervisor's, in the app). */
class Services implements StatusSource {
  list: ServiceStatus[] = [];
  private listener: (s: ServiceStatus[]) => void = () => undefined;
  statuses(): ServiceStatus[] {
    return this.list;
  }
  onChange(listener: (s: ServiceStatus[]) => void): () => void {
    this.listener = listener;
    return () => undefined;
  }
  set(list: ServiceStatus[]): void {
    this.list = list;
    this.listener(list);
  }
}

async function setup(current: string) {
  const app = await standInApp(dir, current, feed.url);
  const updater = new FeedUpdater(app);
  const logs: string[] = [];
  const quits: number[] = [];
  const controller = new UpdateController({
    updater,
    unavailableReason: null,
    currentVersion: current,
    marker: new InstallMarker(join(dir, 'user-data')),
    quitForInstall: () => quits.push(Date.now()),
    log: (m) => logs.push(m),
  });
  const seen: UpdateStatus[] = [];
  controller.onChange((s) => seen.push(s));
  controller.setEnabled(true);
  const services = new Services();
  const busy = new BusyTracker(services);
  controller.attachBusy(busy);
  return { app, updater, controller, logs, quits, seen, busy, services };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stigmer-updates-'));
  feed = new LocalFeed();
  await feed.listen();
});

afterEach(async () => {
  await feed.close();
  await rm(dir, { recursive: true, force: true });
});

describe('update controller against a local feed', () => {
  it('finds a newer version, downloads it with progress and shows its notes as text', async () => {
    feed.publish({
      version: '0.2.0',
      artifact: ARTIFACT,
      releaseNotes:
        '<h2>Fixes</h2><ul><li>Stop &amp; restart</li><li><script>alert(1)</script>Logs</li></ul>',
    });
    const { controller, seen, logs } = await setup('0.1.0');
    const log = vi.spyOn(console, 'log');
    feed.holdDownloads();
    const checked = await controller.check();
    expect(checked.phase).toBe('downloading');
    expect(checked.version).toBe('0.2.0');
    expect(checked.releaseNotes).toBe('Fixes\n\n• Stop & restart\n• Logs');
    feed.resume();
    await controller.whenDownloaded();

    const status = controller.status();
    expect(status.phase).toBe('ready');
    expect(status.error).toBeNull();
    expect(status.deferredBecause).toBeNull();
    // Progress came from electron-updater's own download pipeline, up to the whole file.
    const progress = seen.map((s) => s.progress).filter((p) => p && p.total > 0);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ percent: 100, total: ARTIFACT.length });
    expect(seen.map((s) => s.phase)).toEqual(
      expect.arrayContaining(['checking', 'downloading', 'ready']),
    );
    expect(feed.requests.some((r) => /^latest.*\.yml$/.test(r))).toBe(true);
    expect(feed.requests).toContain(artifactName('0.2.0'));
    // The verified file is where the installer is taken from (the checksum test expects none).
    expect(await readdir(join(dir, 'cache', 'stigmer-local-updater', 'pending'))).toContain(
      artifactName('0.2.0'),
    );
    // The updater's own lines go to the app's log, prefixed, never to the console.
    expect(logs.some((l) => l.startsWith('[updates] ') && l.includes('Found version 0.2.0'))).toBe(
      true,
    );
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
  });

  it('offers nothing for an equal or an older version', async () => {
    for (const version of ['0.1.0', '0.0.9']) {
      feed.publish({ version, artifact: ARTIFACT });
      const { controller } = await setup('0.1.0');
      const status = await controller.check();
      expect(status.phase).toBe('up-to-date');
      expect(status.version).toBeNull();
      expect(status.lastCheckedAt).not.toBeNull();
      expect(controller.pendingInstall()).toBeNull();
      await expect(controller.install()).rejects.toThrow(/no downloaded update/);
    }
    expect(feed.requests.filter((r) => r.endsWith('.yml'))).toHaveLength(2);
    expect(feed.requests).not.toContain(artifactName('0.1.0'));
    expect(feed.requests).not.toContain(artifactName('0.0.9'));
  });

  it('refuses an artifact whose sha512 does not match the feed, with advice', async () => {
    feed.publish({
      version: '0.2.0',
      artifact: ARTIFACT,
      sha512: sha512Of(Buffer.from('the file the release was built with')),
    });
    const { controller, updater } = await setup('0.1.0');
    await controller.check();
    await controller.whenDownloaded();

    const status = controller.status();
    expect(status.phase).toBe('error');
    expect(status.error).toMatch(/download of Stigmer Local 0\.2\.0 was refused/);
    expect(status.error).toMatch(/sha512 checksum does not match/);
    expect(status.error).toMatch(/Nothing was installed/);
    expect(status.error).toMatch(/Check for updates/);
    // Nothing is left to install: no file in the updater's cache, nothing pending on quit.
    const cache = join(dir, 'cache', 'stigmer-local-updater', 'pending');
    const files = existsSync(cache) ? await readdir(cache) : [];
    expect(files.filter((f) => f.endsWith('.zip'))).toEqual([]);
    expect(controller.pendingInstall()).toBeNull();
    expect(updater.installs).toEqual([]);
  });

  it('defers the install while a key rotation runs and offers it when the rotation ends', async () => {
    feed.publish({ version: '0.2.0', artifact: ARTIFACT });
    const { controller, busy, quits, updater, seen } = await setup('0.1.0');
    let endRotation: () => void = () => undefined;
    const rotation = busy.track(
      'A rotation of ANTHROPIC_API_KEY',
      () => new Promise<void>((resolve) => (endRotation = resolve)),
    );
    await controller.check();
    await controller.whenDownloaded();

    const waiting = controller.status();
    expect(waiting.phase).toBe('ready');
    expect(waiting.deferredBecause).toBe('A rotation of ANTHROPIC_API_KEY is in progress.');
    await expect(controller.install()).rejects.toThrow(
      /The update waits: A rotation of ANTHROPIC_API_KEY is in progress\. .*offered again/,
    );
    expect(quits).toEqual([]);
    expect(existsSync(join(dir, 'user-data', 'updates', 'install-marker.json'))).toBe(false);

    const before = seen.length;
    endRotation();
    await rotation;
    // The window is told at once that "Restart now" can go.
    expect(seen.slice(before).at(-1)?.deferredBecause).toBeNull();
    expect(controller.status().deferredBecause).toBeNull();

    const installing = await controller.install();
    expect(installing.phase).toBe('installing');
    expect(quits).toHaveLength(1);
    // The shell's quit flow stopped the stack; now it asks and runs electron-updater's install.
    const pending = controller.pendingInstall();
    expect(pending).toEqual({ restart: true, version: '0.2.0' });
    expect(updater.install(true, pending?.restart)).toBe(true);
    expect(updater.installs).toEqual([
      { isSilent: true, isForceRunAfter: true, isAdminRightsRequired: false },
    ]);
    expect(existsSync(join(dir, 'user-data', 'updates', 'install-marker.json'))).toBe(true);
  });

  it('defers the install while a service is starting', async () => {
    feed.publish({ version: '0.2.0', artifact: ARTIFACT });
    const { controller, services } = await setup('0.1.0');
    await controller.check();
    await controller.whenDownloaded();
    services.set([
      { name: 'agent-runner', displayName: 'Agent runner', state: 'starting' } as ServiceStatus,
    ]);
    expect(controller.status().deferredBecause).toBe('Agent runner is starting.');
    await expect(controller.install()).rejects.toThrow(/Agent runner is starting/);
    services.set([
      { name: 'agent-runner', displayName: 'Agent runner', state: 'ready' } as ServiceStatus,
    ]);
    expect(controller.status().deferredBecause).toBeNull();
  });

  it('installs a downloaded update on a plain quit only while the switch is on', async () => {
    feed.publish({ version: '0.2.0', artifact: ARTIFACT });
    const { controller } = await setup('0.1.0');
    await controller.check();
    await controller.whenDownloaded();
    controller.setEnabled(false);
    expect(controller.status().reason).toMatch(/turned off in Settings/);
    expect(controller.pendingInstall()).toBeNull();
    controller.setEnabled(true);
    expect(controller.pendingInstall()).toEqual({ restart: false, version: '0.2.0' });
  });

  it('says why it cannot update where no updater exists, and never calls one', async () => {
    const controller = new UpdateController({
      updater: null,
      unavailableReason: 'This copy was built from source, so it does not update itself.',
      currentVersion: '0.1.0',
      marker: new InstallMarker(dir),
      quitForInstall: () => undefined,
      log: () => undefined,
    });
    controller.setEnabled(true);
    const status = await controller.check();
    expect(status.phase).toBe('unavailable');
    expect(status.reason).toMatch(/built from source/);
    controller.dispose();
  });
});
