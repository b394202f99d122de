import type { SecretsSnapshot } from '../../src-shared/model/secret';
import type { StackSnapshot } from '../../src-shared/model/service';
import type { AppCoreOptions } from './app-core-types';
import type { AuditJournal } from './audit';
import type { AuditRecorder } from './audit-recorder';
import type { LogCapture } from './logs';
import type { SecretStore } from './secrets';
import type { SettingsStore } from './settings-store';
import type { StackLoadResult, StackLoader } from './stack';
import type { Supervisor } from './supervisor';
import type { BusyTracker } from './updates';

/** The pieces createAppCore builds, handed to the per-domain handler builders next to it. */
export interface CoreParts {
  options: AppCoreOptions;
  settings: SettingsStore;
  loader: StackLoader;
  secrets: SecretStore;
  supervisor: Supervisor;
  recorder: AuditRecorder;
  journal: AuditJournal;
  logs: LogCapture;
  busy: BusyTracker;
  auditDir: string;
  runStartedAt: number;
  /** The stack as last loaded (a reload replaces it, so always read it through this). */
  loaded: () => StackLoadResult;
  snapshot: () => StackSnapshot;
  keysSnapshot: () => SecretsSnapshot;
  /** Reads the stack file and looks for the binaries again; the last good stack stays on error. */
  reloadStack: () => Promise<StackSnapshot>;
  /** Applies the settings memory and the vault follow (auto updates, key idle time). */
  applySettings: (s: { keyIdleMinutes: number; autoUpdates: boolean }) => void;
}
