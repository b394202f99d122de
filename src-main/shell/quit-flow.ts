/** What the quit flow needs from the app and the core. */
export interface QuitFlowDeps {
  /** Stops the stack: core.shutdown(). */
  shutdown(): Promise<void>;
  /** app.exit: ends the process without emitting before-quit again. */
  exit(code: number): void;
  /** Give up waiting for the stack after this long, so Quit always quits. */
  timeoutMs?: number;
  log?: (message: string) => void;
}

/** The quit state machine: the first before-quit stops the stack, later ones wait for it. */
export interface QuitFlow {
  /** Handler for app 'before-quit' (Cmd+Q, tray Quit, app.quit(), OS logout). */
  onBeforeQuit(event: { preventDefault(): void }): void;
  /** True from the first quit request on; windows use it to close for real. */
  readonly quitting: boolean;
  /** Settles when the process has been told to exit. */
  readonly done: Promise<void>;
}

/**
 * Quit must never leave children behind, so it defers the app's own quit until
 * `shutdown()` settles (or times out), then calls `exit` exactly once.
 */
export function createQuitFlow(deps: QuitFlowDeps): QuitFlow {
  const timeoutMs = deps.timeoutMs ?? 20_000;
  const log = deps.log ?? (() => undefined);
  let quitting = false;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  async function run(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    let code = 0;
    try {
      const outcome = await Promise.race([deps.shutdown().then(() => 'stopped' as const), timeout]);
      if (outcome === 'timeout') {
        log(`The stack did not stop within ${timeoutMs / 1000} s; quitting anyway.`);
        code = 1;
      }
    } catch (error) {
      log(`Stopping the stack failed: ${error instanceof Error ? error.message : String(error)}`);
      code = 1;
    } finally {
      clearTimeout(timer);
    }
    deps.exit(code);
    resolveDone();
  }

  return {
    onBeforeQuit(event) {
      // Always prevent: the real exit is deps.exit, after the stack is down.
      event.preventDefault();
      if (quitting) return;
      quitting = true;
      void run();
    },
    get quitting() {
      return quitting;
    },
    done,
  };
}
