/** What decides whether this copy of the app updates itself. */
export interface AvailabilityInput {
  /** `app.isPackaged`. */
  packaged: boolean;
  /** The build says so: STIGMER_LOCAL_UPDATES=1 at build time (release builds only). */
  releaseBuild: boolean;
  /** electron-builder wrote app-update.yml into resources (publish is set), or a feed URL was baked in. */
  hasFeed: boolean;
  platform: NodeJS.Platform;
  /** Linux: the AppImage path (electron-updater replaces that file); absent for a deb or a tarball. */
  appImage: string | undefined;
  /** Linux: resources/package-type, written by electron-builder for deb/rpm/pacman. */
  packageType: string | null;
}

/**
 * Why this copy cannot update itself, or null when it can. Off unless a release build says so:
 * a build from source (`npm start`, a local `npm run dist`) never replaces itself.
 */
export function updatesAvailability(input: AvailabilityInput): string | null {
  if (!input.packaged) {
    return 'This is a development run (not a packaged app); it runs the code it was started from and does not update itself.';
  }
  if (!input.releaseBuild) {
    return 'This copy was built from source, so it does not update itself. Release builds (STIGMER_LOCAL_UPDATES=1 at build time) do; or install a release from https://github.com/stigmer/stigmer-local/releases.';
  }
  if (!input.hasFeed) {
    return 'This build has no update feed (app-update.yml is missing from its resources), so it cannot look for updates. Install a release from https://github.com/stigmer/stigmer-local/releases.';
  }
  if (input.platform === 'linux' && !input.appImage && !input.packageType) {
    return 'On Linux only the AppImage and the deb package update themselves; this copy is neither. Install a release from https://github.com/stigmer/stigmer-local/releases.';
  }
  return null;
}
