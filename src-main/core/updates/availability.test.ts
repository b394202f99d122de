import { describe, expect, it } from 'vitest';
import { updatesAvailability, type AvailabilityInput } from './availability';

const release: AvailabilityInput = {
  packaged: true,
  releaseBuild: true,
  hasFeed: true,
  platform: 'darwin',
  appImage: undefined,
  packageType: null,
};

describe('which copies update themselves', () => {
  it('a packaged release build with a feed does', () => {
    expect(updatesAvailability(release)).toBeNull();
    expect(
      updatesAvailability({ ...release, platform: 'linux', appImage: '/a/Stigmer.AppImage' }),
    ).toBeNull();
    expect(updatesAvailability({ ...release, platform: 'linux', packageType: 'deb' })).toBeNull();
  });

  it('builds from source, development runs and builds without a feed do not, and say why', () => {
    expect(updatesAvailability({ ...release, packaged: false })).toMatch(/development run/);
    expect(updatesAvailability({ ...release, releaseBuild: false })).toMatch(/built from source/);
    expect(updatesAvailability({ ...release, hasFeed: false })).toMatch(
      /app-update\.yml is missing/,
    );
    expect(updatesAvailability({ ...release, platform: 'linux' })).toMatch(/AppImage and the deb/);
  });
});
