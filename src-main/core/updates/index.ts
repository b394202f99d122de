export { BusyTracker } from './busy-tracker';
export { InstallMarker, releaseUrlFor } from './install-marker';
export { releaseNotesText } from './release-notes';
export { UpdateController, UPDATE_INTERVAL_MS, UPDATE_START_DELAY_MS } from './update-controller';
export { updateErrorMessage, RELEASES_PAGE } from './update-errors';
export { NO_UPDATER_REASON, updateHandlers } from './update-handlers';
export { updatesAvailability } from './availability';
export type { BusyQuery, UpdaterLike, UpdatesHost } from './types';
