import type {
  AppInfo,
  CliInstallResult,
  EventChannel,
  EventPayload,
} from '../../src-shared/ipc/contract';
import type { SecretsSnapshot } from '../../src-shared/model/secret';
import type { StackSnapshot } from '../../src-shared/model/service';
import type { Handlers } from '../../src-shared/ipc/handlers';
import type { KeychainStore, UnlockGate } from './secrets';
import type { GroupReader } from './supervisor';
import type { UpdatesHost } from './updates';
import type { ProgramName } from '../../src-shared/model/settings';

/** Who asked for an action (recorded in the audit trail). */
export type Actor = 'window' | 'tray' | 'system' | 'cli';

/** Listener for events the core pushes to every window. */
export type CoreEventListener = <C extends EventChannel>(
  channel: C,
  payload: EventPayload<C>,
) => void;

/** Inputs to the composition root; hosts pass real paths, tests pass temp dirs. */
export interface AppCoreOptions {
  userDataDir: string;
  logDir: string;
  /** The app's own environment (read for discovery and base env; never handed to children whole). */
  env: NodeJS.ProcessEnv;
  host: AppInfo['host'];
  version: string;
  /**
   * The app's own Node, one candidate for Node programs (Settings → Programs → Node and
   * STIGMER_NODE come first): its executable, the env it needs (ELECTRON_RUN_AS_NODE=1 in
   * Electron), and its version (`process.versions.node`; read by running it when absent).
   */
  nodeExecutable: string;
  nodeEnv: Record<string, string>;
  nodeVersion?: string;
  homeDir: string;
  /** The runner the app carries (Electron: <resources>/runner); absent: $STIGMER_LOCAL_BUNDLED_RUNNER. */
  bundledRunnerDir?: string | null;
  /** The OS keychain; default: probe the real one (tests may pass a session-only store). */
  keychain?: KeychainStore;
  /** Gate before a keychain value is released (Touch ID on macOS); default: always grant. */
  gate?: UnlockGate;
  /** How often running services' CPU and memory are sampled (ms); default 2000, 0 = never. */
  usageIntervalMs?: number;
  /** Reads CPU time and memory per process group; default: /proc on Linux, ps elsewhere. */
  usageReader?: GroupReader;
  /**
   * Registers (or removes) the app as a login item; absent where the host cannot (browser host).
   * Called when the setting changes (not at start: a login item the user removed in the OS's own
   * settings stays removed).
   */
  setLaunchAtLogin?: (enabled: boolean) => Promise<void>;
  /** What the OS says the login item still needs from the user (macOS approval), else null. */
  loginItemNote?: () => string | null;
  /** Native file dialog for locating a service's program; resolves null when cancelled. */
  pickProgram?: (service: ProgramName) => Promise<string | null>;
  /** Native file dialog for the .env file to import keys from; resolves null when cancelled. */
  pickEnvFile?: () => Promise<string | null>;
  /** Opens a folder in the system file manager (Electron's shell.openPath); absent = cannot. */
  openPath?: (path: string) => Promise<boolean>;
  /** What the host does for `app:quit`, `app:show` and `cli:install` (absent: refused). */
  hostActions?: HostActions;
  /** The app's own updater (the Electron shell); absent: `updates:status` says not available. */
  updates?: UpdatesHost;
}

/** Host-level actions the CLI asks for through the router; each host supplies its own. */
export interface HostActions {
  /** Start the graceful quit (stack stopped first); called after the reply is sent. */
  quit(): void;
  show(): Promise<{ shown: boolean; url: string | null }>;
  installCli(): Promise<CliInstallResult>;
}

/** What a host (Electron shell or browser host) gets from the core. */
export interface AppCore {
  readonly handlers: Handlers;
  snapshot(): StackSnapshot;
  onEvent(listener: CoreEventListener): () => void;
  startStack(actor: Actor): Promise<StackSnapshot>;
  stopStack(actor: Actor): Promise<StackSnapshot>;
  startService(name: string, actor: Actor): Promise<StackSnapshot>;
  stopService(name: string, actor: Actor): Promise<StackSnapshot>;
  restartService(name: string, actor: Actor): Promise<StackSnapshot>;
  /** Retry the audit journal (records the gap), then start the services whose keys were held. */
  retryAudit(actor: Actor): Promise<StackSnapshot>;
  /** "Lock keys": wipe the vault; the journal's key.locked entries name the actor. */
  lockKeys(actor: Actor): Promise<SecretsSnapshot>;
  /** A window or page (`who`) became visible or hidden/closed; live figures run while one is seen. */
  setLooking(who: string, visible: boolean): void;
  /** Ask the window to open the key dialog for `name` (the tray's "Rotate…"). */
  requestKeyDialog(name: string): void;
  /** Stop the stack and release everything; called on Quit. */
  shutdown(): Promise<void>;
}
