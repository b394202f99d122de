import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

// The startup, signal and shutdown decisions of the Electron shell, as plain functions with
// injected effects, so each path is unit-tested in plain Node (main.ts only wires them up).

/** Where the app is in its life: signals and second launches are answered differently in each. */
export type LifePhase = 'starting' | 'running' | 'quitting';

/** What to do with one SIGINT / SIGTERM / SIGHUP. */
export type SignalDecision =
  /** Start the graceful quit (it stops the stack first). */
  | 'quit'
  /** Startup is still in flight: quit as soon as it finishes (or fails). */
  | 'quit-after-startup'
  /** A quit is already running: say so and keep waiting for the stack. */
  | 'ignore'
  /** The user insists: exit now and leave the stack for the next launch to reclaim. */
  | 'force';

/**
 * The signal state machine. `count` is how many termination signals arrived so far, this one
 * included. The first one starts the graceful quit (or schedules it after startup); a second
 * one while that runs is ignored with a message; a third one forces the exit. A signal that
 * finds a quit already started by other means (tray Quit, Cmd+Q) counts as a second.
 */
export function decideSignal(count: number, phase: LifePhase): SignalDecision {
  const effective = phase === 'quitting' ? Math.max(count, 2) : count;
  if (effective >= 3) return 'force';
  if (effective === 2) return 'ignore';
  return phase === 'starting' ? 'quit-after-startup' : 'quit';
}

/** What the signal controller drives. */
export interface SignalControllerDeps {
  phase(): LifePhase;
  /** app.quit(): before-quit then runs the quit flow that stops the stack. */
  quit(): void;
  /** app.exit(code) at once, without stopping the stack. */
  force(code: number): void;
  log(message: string): void;
  /** Clock for coalescing; Date.now by default. */
  now?: () => number;
}

/**
 * One Ctrl+C on `npm start` reaches Electron several times: from the terminal (the whole
 * foreground process group) and again through each wrapper that forwards it (npm, the
 * launcher, electron's cli.js). Signals this close to the previous one count as the same press.
 */
export const SIGNAL_COALESCE_MS = 1_000;

/** Receives signals and the end of startup; decides with `decideSignal`. */
export interface SignalController {
  onSignal(signal: NodeJS.Signals): void;
  /** Startup finished (or failed): a quit that waited for it runs now. */
  startupSettled(): void;
}

/** Exit code for a forced exit after a signal (128 + SIGINT's number, as shells report it). */
export const FORCED_EXIT_CODE = 130;

/** Build the controller; main.ts hands `onSignal` to process.on for each signal. */
export function createSignalController(deps: SignalControllerDeps): SignalController {
  let count = 0;
  let quitPending = false;
  let last = -Infinity;
  const now = deps.now ?? Date.now;
  return {
    onSignal(signal) {
      const at = now();
      const duplicate = at - last < SIGNAL_COALESCE_MS;
      last = at;
      if (duplicate) return;
      // A quit started by other means (tray Quit, Cmd+Q) stands for the first signal.
      if (count === 0 && deps.phase() === 'quitting') count = 1;
      count += 1;
      const decision = decideSignal(count, deps.phase());
      if (decision === 'quit') {
        deps.log(`${signal}: quitting; stopping the stack first.`);
        deps.quit();
      } else if (decision === 'quit-after-startup') {
        deps.log(`${signal}: quitting once startup has finished (then the stack is stopped).`);
        quitPending = true;
      } else if (decision === 'ignore') {
        deps.log(
          `${signal}: already quitting; waiting for the stack to stop. Send it once more to exit at once (services left running are reclaimed at the next launch).`,
        );
      } else {
        deps.log(`${signal}: exiting now without waiting for the stack.`);
        deps.force(FORCED_EXIT_CODE);
      }
    },
    startupSettled() {
      if (!quitPending) return;
      quitPending = false;
      deps.quit();
    },
  };
}

/**
 * Actions that need the IPC handlers (showing the dashboard for a second launch, activate):
 * run at once when the app is ready, queued until then, so no window is created before the
 * handlers it calls exist. A queue of one: several early launches show one window.
 */
export interface ReadyGate {
  /** Run `action` now if ready, else once `open()` is called (the last queued one wins). */
  whenReady(action: () => void): void;
  /** The handlers exist: run the queued action. */
  open(): void;
  readonly isOpen: boolean;
}

/** Build a closed gate. */
export function createReadyGate(): ReadyGate {
  let open = false;
  let queued: (() => void) | null = null;
  return {
    whenReady(action) {
      if (open) action();
      else queued = action;
    },
    open() {
      open = true;
      const action = queued;
      queued = null;
      action?.();
    },
    get isOpen() {
      return open;
    },
  };
}

/** The startup log file, next to the other logs of the user data dir. */
export function startupLogPath(userDataDir: string): string {
  return path.join(userDataDir, 'logs', 'startup-error.log');
}

/** The error dialog shown when startup fails: what happened, where the details are, what to do. */
export function startupFailureMessage(
  error: unknown,
  logFile: string | null,
): { title: string; body: string } {
  const message = error instanceof Error ? error.message : String(error);
  const where = logFile
    ? `The details are in ${logFile}.`
    : 'The details could not be written to a log file either; start the app from a terminal to see them.';
  return {
    title: 'Stigmer Local could not start',
    body: `${message}\n\n${where} Fix the cause above and start Stigmer Local again; if it keeps failing, include that file in a bug report.`,
  };
}

/** Append the failure (with its stack) to the startup log; returns the file, or null if unwritable. */
export async function writeStartupFailure(
  userDataDir: string,
  error: unknown,
  now: Date = new Date(),
): Promise<string | null> {
  const file = startupLogPath(userDataDir);
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await appendFile(file, `[${now.toISOString()}] Startup failed: ${detail}\n`, 'utf8');
    return file;
  } catch {
    return null;
  }
}

/**
 * Keeps shown notifications referenced until they are closed or clicked: an unreferenced
 * Notification can be garbage-collected with its click handler (then a click does nothing).
 */
export class NotificationKeeper<
  N extends { once(event: 'close' | 'click', fn: () => void): unknown },
> {
  private readonly live = new Set<N>();

  /** Some desktops never report 'close'; past this many, the oldest is let go. */
  constructor(private readonly limit = 20) {}

  /** Hold `note` until its first 'close' or 'click'. */
  keep(note: N): N {
    this.live.add(note);
    if (this.live.size > this.limit) {
      const oldest = this.live.values().next().value;
      if (oldest) this.live.delete(oldest);
    }
    const release = () => this.live.delete(note);
    note.once('close', release);
    note.once('click', release);
    return note;
  }

  /** How many are held now. */
  get size(): number {
    return this.live.size;
  }
}
