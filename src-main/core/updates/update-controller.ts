import { UserError } from '../../../src-shared/model/errors';
import type {
  RollbackNotice,
  UpdatePhase,
  UpdateProgress,
  UpdateStatus,
} from '../../../src-shared/model/updates';
import type { InstallMarker } from './install-marker';
import { releaseNotesText } from './release-notes';
import type { BusyQuery, UpdaterLike, UpdaterLogger, UpdatesHost } from './types';
import { updateErrorMessage } from './update-errors';

/** First check after start: late enough not to compete with the stack's own start. */
export const UPDATE_START_DELAY_MS = 30_000;
/** Then once a day. */
export const UPDATE_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** What the controller needs; the shell passes electron-updater's autoUpdater, tests a local feed. */
export interface UpdateControllerOptions {
  /** The updater, or null where updates cannot happen (then `unavailableReason` says why). */
  updater: UpdaterLike | null;
  unavailableReason: string | null;
  currentVersion: string;
  marker: InstallMarker;
  /**
   * "Restart now": quit through the app's quit flow (which stops the stack cleanly first); the
   * shell then asks `pendingInstall()` and runs the platform's installer.
   */
  quitForInstall: () => void;
  /** The app's log (never console); the updater's own logger is routed here too. */
  log: (message: string) => void;
  startDelayMs?: number;
  intervalMs?: number;
  now?: () => Date;
}

/**
 * The app's update logic, plain Node: checks at start and daily on one unref'd timer, downloads
 * in the background with progress, verifies through electron-updater (sha512), and installs on
 * quit or on "Restart now", never while a key rotation or a service start is in flight.
 */
export class UpdateController implements UpdatesHost {
  private phase: UpdatePhase = 'idle';
  private enabled = false;
  private version: string | null = null;
  private releaseNotes: string | null = null;
  private progress: UpdateProgress | null = null;
  private lastCheckedAt: string | null = null;
  private error: string | null = null;
  private readonly rollback: RollbackNotice | null;
  private busy: BusyQuery | null = null;
  private lastDeferred: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<UpdateStatus> | null = null;
  private download: Promise<void> | null = null;
  private readonly listeners = new Set<(status: UpdateStatus) => void>();
  private readonly startDelayMs: number;
  private readonly intervalMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: UpdateControllerOptions) {
    this.startDelayMs = options.startDelayMs ?? UPDATE_START_DELAY_MS;
    this.intervalMs = options.intervalMs ?? UPDATE_INTERVAL_MS;
    this.now = options.now ?? (() => new Date());
    // Whatever the build, a marker left by an update is read: the notice matters most when the
    // new version is the one that could not start.
    this.rollback = options.marker.onStart(options.currentVersion);
    const updater = options.updater;
    if (updater) {
      // The controller decides when to download (and says so in the window), not the updater.
      updater.autoDownload = false;
      updater.logger = routedLogger(options.log);
      updater.on('download-progress', (info) => {
        this.progress = {
          percent: Math.max(0, Math.min(100, info.percent)),
          transferred: info.transferred,
          total: info.total,
          bytesPerSecond: info.bytesPerSecond,
        };
        this.changed();
      });
    }
  }

  /** {@inheritDoc UpdatesHost.status} */
  status(): UpdateStatus {
    const unavailable = this.options.unavailableReason;
    return {
      phase: unavailable ? 'unavailable' : this.phase,
      reason:
        unavailable ?? (this.enabled ? null : 'Automatic updates are turned off in Settings.'),
      enabled: this.enabled,
      currentVersion: this.options.currentVersion,
      version: this.version,
      releaseNotes: this.releaseNotes,
      progress: this.progress,
      deferredBecause: this.phase === 'ready' ? (this.busy?.reason() ?? null) : null,
      lastCheckedAt: this.lastCheckedAt,
      error: this.error,
      rollback: this.rollback,
    };
  }

  /** {@inheritDoc UpdatesHost.onChange} */
  onChange(listener: (status: UpdateStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** {@inheritDoc UpdatesHost.attachBusy} */
  attachBusy(busy: BusyQuery): void {
    this.busy = busy;
    busy.onChange(() => {
      // Tell the window only when the reason itself changed (services change often).
      const deferred = this.status().deferredBecause;
      if (deferred !== this.lastDeferred) this.changed();
    });
  }

  /** {@inheritDoc UpdatesHost.setEnabled} */
  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    if (enabled) this.schedule(this.startDelayMs);
    else this.clearTimer();
    this.changed();
  }

  /** {@inheritDoc UpdatesHost.check} "Check for updates" works even with the switch off. */
  check(): Promise<UpdateStatus> {
    if (!this.options.updater || this.options.unavailableReason) {
      return Promise.resolve(this.status());
    }
    if (this.enabled) this.schedule(this.intervalMs); // a check now moves the daily one
    return this.runCheck();
  }

  /** {@inheritDoc UpdatesHost.install} */
  async install(): Promise<UpdateStatus> {
    if (this.phase === 'installing') return this.status();
    if (this.phase !== 'ready' || !this.version) {
      throw new UserError(
        'conflict',
        'There is no downloaded update to install. Use "Check for updates"; a newer version downloads in the background and "Restart now" appears when it is ready.',
      );
    }
    const busy = this.busy?.reason();
    if (busy) {
      throw new UserError(
        'conflict',
        `The update waits: ${busy} Restarting now would cut it short. "Restart now" is offered again as soon as it ends.`,
      );
    }
    this.options.marker.write(this.options.currentVersion, this.version);
    this.phase = 'installing';
    this.changed();
    this.options.log(`Restarting to install ${this.version}; the stack is stopped first.`);
    this.options.quitForInstall();
    return this.status();
  }

  /**
   * Asked by the shell once the stack has stopped on the way out: install now? `restart` for
   * "Restart now"; on a plain quit, a downloaded update installs when the switch is on.
   */
  pendingInstall(): { restart: boolean; version: string } | null {
    if (!this.version) return null;
    if (this.phase === 'installing') return { restart: true, version: this.version };
    if (this.phase !== 'ready' || !this.enabled) return null;
    this.options.marker.write(this.options.currentVersion, this.version);
    this.phase = 'installing';
    return { restart: false, version: this.version };
  }

  /** The app reached its ready state (window shown or settled in the tray): the update worked. */
  markReady(): void {
    this.options.marker.ready();
  }

  /** Start the schedule (first check after the start delay) if the switch is on. */
  start(): void {
    if (this.enabled) this.schedule(this.startDelayMs);
  }

  /** Stop the timer (at quit). */
  dispose(): void {
    this.clearTimer();
    this.listeners.clear();
  }

  /** The download under way, for callers that wait for it (tests, the quit path). */
  whenDownloaded(): Promise<void> {
    return this.download ?? Promise.resolve();
  }

  private runCheck(): Promise<UpdateStatus> {
    const updater = this.options.updater;
    if (!updater || this.options.unavailableReason) return Promise.resolve(this.status());
    // A downloaded or downloading release stays; a check would only find it again.
    if (this.phase === 'downloading' || this.phase === 'ready' || this.phase === 'installing') {
      return Promise.resolve(this.status());
    }
    if (this.checking) return this.checking;
    this.phase = 'checking';
    this.error = null;
    this.changed();
    this.checking = (async () => {
      try {
        const result = await updater.checkForUpdates();
        this.lastCheckedAt = this.now().toISOString();
        if (!result || !result.isUpdateAvailable) {
          this.phase = 'up-to-date';
          this.version = null;
          this.releaseNotes = null;
          this.progress = null;
        } else {
          this.version = result.updateInfo.version;
          this.releaseNotes = releaseNotesText(result.updateInfo.releaseNotes);
          this.startDownload(updater);
        }
      } catch (error) {
        this.lastCheckedAt = this.now().toISOString();
        this.phase = 'error';
        this.error = updateErrorMessage(error, 'check', null);
        this.options.log(this.error);
      } finally {
        this.checking = null;
      }
      this.changed();
      return this.status();
    })();
    return this.checking;
  }

  private startDownload(updater: UpdaterLike): void {
    this.phase = 'downloading';
    this.progress = { percent: 0, transferred: 0, total: 0, bytesPerSecond: 0 };
    const version = this.version;
    this.download = updater.downloadUpdate().then(
      () => {
        this.phase = 'ready';
        if (this.progress) this.progress = { ...this.progress, percent: 100 };
        this.options.log(
          `Stigmer Local ${version} is downloaded and verified; it installs on quit or on "Restart now".`,
        );
        this.changed();
      },
      (error: unknown) => {
        this.phase = 'error';
        this.progress = null;
        this.error = updateErrorMessage(error, 'download', version);
        this.options.log(this.error);
        this.changed();
      },
    );
  }

  private schedule(ms: number): void {
    this.clearTimer();
    // One timer for everything, unref'd: it never keeps the process alive on its own.
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.enabled) return;
      this.schedule(this.intervalMs);
      void this.runCheck();
    }, ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private changed(): void {
    const status = this.status();
    this.lastDeferred = status.deferredBecause;
    for (const listener of this.listeners) listener(status);
  }
}

/** electron-updater's logger, routed into the app's log with a prefix, first lines only. */
function routedLogger(log: (message: string) => void): UpdaterLogger {
  const line = (level: string) => (message?: unknown) => {
    const text = String(message ?? '').split('\n')[0] ?? '';
    log(`[updates] ${level}${text}`);
  };
  return {
    info: line(''),
    warn: line('warning: '),
    error: line('error: '),
    debug: () => undefined,
  };
}
