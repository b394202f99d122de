import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstallMarker } from './install-marker';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stigmer-marker-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('install marker (the rollback notice)', () => {
  it('says nothing when the new version reaches ready on its first start', () => {
    const marker = new InstallMarker(dir);
    marker.write('0.1.0', '0.2.0');
    expect(marker.onStart('0.2.0')).toBeNull();
    marker.ready();
    expect(new InstallMarker(dir).onStart('0.2.0')).toBeNull();
  });

  it('names the previous version and its download when the last start did not reach ready', () => {
    const marker = new InstallMarker(dir);
    marker.write('0.1.0', '0.2.0');
    expect(marker.onStart('0.2.0')).toBeNull(); // first start, then a crash before ready
    const notice = new InstallMarker(dir).onStart('0.2.0');
    expect(notice).toMatchObject({
      previousVersion: '0.1.0',
      updatedVersion: '0.2.0',
      downloadUrl: 'https://github.com/stigmer/stigmer-local/releases/tag/v0.1.0',
    });
    expect(notice?.message).toMatch(/0\.2\.0 did not finish starting last time/);
    expect(notice?.message).toMatch(/install 0\.1\.0 again from https:/);
    // Still shown on the next start until one reaches ready.
    expect(new InstallMarker(dir).onStart('0.2.0')).not.toBeNull();
    new InstallMarker(dir).ready();
    expect(new InstallMarker(dir).onStart('0.2.0')).toBeNull();
  });

  it('says when the update did not install at all (still the old version)', () => {
    const marker = new InstallMarker(dir);
    marker.write('0.1.0', '0.2.0');
    const notice = marker.onStart('0.1.0');
    expect(notice?.message).toMatch(
      /update to Stigmer Local 0\.2\.0 did not install; this is still 0\.1\.0/,
    );
    expect(marker.onStart('0.1.0')).toBeNull(); // said once
  });

  it('is a private file and ignores a damaged one', async () => {
    const marker = new InstallMarker(dir);
    marker.write('0.1.0', '0.2.0');
    if (process.platform !== 'win32') expect((await stat(marker.file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(marker.file, 'utf8'))).toMatchObject({
      from: '0.1.0',
      to: '0.2.0',
    });
    await writeFile(marker.file, '{not json');
    expect(marker.onStart('0.2.0')).toBeNull();
  });
});
