/** Where the app's own update stands, as the window shows it. */
export type UpdatePhase =
  /** Updates cannot happen here (browser host, a build from source, turned off); see `reason`. */
  | 'unavailable'
  | 'idle'
  | 'checking'
  | 'up-to-date'
  | 'downloading'
  /** Downloaded and verified; installs on quit or on "Restart now". */
  | 'ready'
  /** The stack is being stopped and the installer started. */
  | 'installing'
  | 'error';

/** Bytes of the download so far. */
export interface UpdateProgress {
  percent: number;
  transferred: number;
  total: number;
  bytesPerSecond: number;
}

/** Shown once after an update that did not reach a ready window on its previous start. */
export interface RollbackNotice {
  /** The version that was running before the update. */
  previousVersion: string;
  /** The version the update installed. */
  updatedVersion: string;
  /** Where the previous version can be downloaded again. */
  downloadUrl: string;
  message: string;
}

/** The update status crossing IPC (`updates:status`, `updates:changed`). */
export interface UpdateStatus {
  phase: UpdatePhase;
  /** Why updates are not available, or turned off, in words a person can act on. */
  reason: string | null;
  /** The setting: check and download on their own (Settings → Updates). */
  enabled: boolean;
  currentVersion: string;
  /** The newer version found, once one is. */
  version: string | null;
  /** Its release notes as plain text (HTML from the feed is reduced to text, never rendered). */
  releaseNotes: string | null;
  progress: UpdateProgress | null;
  /** Why "Restart now" waits (a key rotation or a start in flight); null when it can go. */
  deferredBecause: string | null;
  /** ISO time of the last finished check. */
  lastCheckedAt: string | null;
  /** The last failure, written as advice. */
  error: string | null;
  rollback: RollbackNotice | null;
}

/** The status of a host that has no updater (browser host, tests). */
export function unavailableStatus(currentVersion: string, reason: string): UpdateStatus {
  return {
    phase: 'unavailable',
    reason,
    enabled: false,
    currentVersion,
    version: null,
    releaseNotes: null,
    progress: null,
    deferredBecause: null,
    lastCheckedAt: null,
    error: null,
    rollback: null,
  };
}
