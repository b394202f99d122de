import type { UpdateStatus } from '../../../src-shared/model/updates';

/** What the core says about work an update must not interrupt (a key rotation, a start). */
export interface BusyQuery {
  /** Why an install must wait now, as a sentence; null when nothing is in flight. */
  reason(): string | null;
  /** Called whenever the reason may have changed; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}

/** The updater's logger shape (electron-updater's `Logger`). */
export interface UpdaterLogger {
  info(message?: unknown): void;
  warn(message?: unknown): void;
  error(message?: unknown): void;
  debug?(message: string): void;
}

/** The release a feed announces (the part of electron-updater's `UpdateInfo` used here). */
export interface UpdateInfoLike {
  version: string;
  releaseNotes?: string | Array<{ version: string; note: string | null }> | null;
  releaseDate?: string;
}

/** Download progress as electron-updater reports it. */
export interface ProgressInfoLike {
  percent: number;
  transferred: number;
  total: number;
  bytesPerSecond: number;
}

/**
 * The part of electron-updater's AppUpdater the controller drives: the real `autoUpdater` in the
 * desktop app, a real AppUpdater subclass over a local feed in tests.
 */
export interface UpdaterLike {
  autoDownload: boolean;
  logger: UpdaterLogger | null;
  checkForUpdates(): Promise<{ isUpdateAvailable: boolean; updateInfo: UpdateInfoLike } | null>;
  downloadUpdate(): Promise<string[]>;
  on(event: 'download-progress', listener: (info: ProgressInfoLike) => void): unknown;
}

/**
 * What a host with an updater gives the core (the Electron shell). The browser host has none;
 * there `updates:status` says updates are not available.
 */
export interface UpdatesHost {
  status(): UpdateStatus;
  check(): Promise<UpdateStatus>;
  install(): Promise<UpdateStatus>;
  /** Settings → Updates switch (applied at start and on every change). */
  setEnabled(enabled: boolean): void;
  onChange(listener: (status: UpdateStatus) => void): () => void;
  /** The core passes what keeps an install waiting (rotations, starts in flight). */
  attachBusy(busy: BusyQuery): void;
}
