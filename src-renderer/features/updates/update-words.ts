import type { UpdateProgress, UpdateStatus } from '../../../src-shared/model/updates';

/** "12.5 MB of 98.0 MB" (or just the part known). */
export function progressWords(progress: UpdateProgress | null): string {
  if (!progress || progress.total <= 0) return 'Starting the download…';
  const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${Math.floor(progress.percent)}% (${mb(progress.transferred)} of ${mb(progress.total)})`;
}

/** One line for Settings → Updates: where the update stands. */
export function statusLine(status: UpdateStatus): string {
  switch (status.phase) {
    case 'unavailable':
      return status.reason ?? 'Updates are not available here.';
    case 'idle':
      return status.enabled
        ? 'Stigmer Local checks for updates shortly after it starts and then once a day.'
        : 'Automatic checks are off; use Check for updates.';
    case 'checking':
      return 'Checking for updates…';
    case 'up-to-date':
      return `Stigmer Local ${status.currentVersion} is the latest version.`;
    case 'downloading':
      return `Downloading Stigmer Local ${status.version ?? ''}: ${progressWords(status.progress)}`;
    case 'ready':
      return status.deferredBecause
        ? `Stigmer Local ${status.version ?? ''} is ready. It waits: ${status.deferredBecause}`
        : `Stigmer Local ${status.version ?? ''} is ready; it installs when you quit, or choose Restart now.`;
    case 'installing':
      return `Stopping the stack and installing Stigmer Local ${status.version ?? ''}…`;
    case 'error':
      return status.error ?? 'The last update check failed.';
  }
}

/** The banner shows the update while it downloads, when it is ready, and if its download failed. */
export function bannerShown(status: UpdateStatus | null, laterFor: string | null): boolean {
  if (!status || !status.version || status.phase === 'unavailable') return false;
  if (status.phase === 'ready' && laterFor === status.version) return false;
  return (
    status.phase === 'downloading' ||
    status.phase === 'ready' ||
    status.phase === 'installing' ||
    status.phase === 'error'
  );
}
