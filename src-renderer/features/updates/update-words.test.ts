import { describe, expect, it } from 'vitest';
import { unavailableStatus, type UpdateStatus } from '../../../src-shared/model/updates';
import { bannerShown, progressWords, statusLine } from './update-words';

const ready: UpdateStatus = {
  ...unavailableStatus('0.1.0', ''),
  phase: 'ready',
  reason: null,
  enabled: true,
  version: '0.2.0',
  releaseNotes: 'Fixes',
  progress: { percent: 100, transferred: 5_000_000, total: 5_000_000, bytesPerSecond: 1 },
};

describe('update words', () => {
  it('says what the banner and Settings show for each phase', () => {
    expect(statusLine(ready)).toBe(
      'Stigmer Local 0.2.0 is ready; it installs when you quit, or choose Restart now.',
    );
    expect(
      statusLine({ ...ready, deferredBecause: 'A rotation of ANTHROPIC_API_KEY is in progress.' }),
    ).toBe(
      'Stigmer Local 0.2.0 is ready. It waits: A rotation of ANTHROPIC_API_KEY is in progress.',
    );
    expect(statusLine({ ...ready, phase: 'up-to-date', version: null })).toBe(
      'Stigmer Local 0.1.0 is the latest version.',
    );
    expect(statusLine(unavailableStatus('0.1.0', 'Updates come with the desktop app.'))).toBe(
      'Updates come with the desktop app.',
    );
    expect(
      progressWords({
        percent: 42.7,
        transferred: 4_270_000,
        total: 10_000_000,
        bytesPerSecond: 1,
      }),
    ).toBe('42% (4.3 MB of 10.0 MB)');
  });

  it('shows the banner for a found version until "Later", never where updates are unavailable', () => {
    expect(bannerShown(ready, null)).toBe(true);
    expect(bannerShown(ready, '0.2.0')).toBe(false);
    expect(bannerShown(ready, '0.1.9')).toBe(true);
    expect(bannerShown({ ...ready, phase: 'downloading' }, '0.2.0')).toBe(true);
    expect(bannerShown({ ...ready, phase: 'up-to-date', version: null }, null)).toBe(false);
    expect(bannerShown(unavailableStatus('0.1.0', 'no'), null)).toBe(false);
  });
});
