import type { IpcResult } from '../../src-shared/model/errors';
import type { AppClient } from './client';
import type { Out } from './output';

/** Exit codes: 0 all ready / done, 1 something failed, 2 bad usage, 3 the app is not running. */
export const EXIT = { ok: 0, failed: 1, usage: 2, notRunning: 3 } as const;

/** Parsed command line, shared by every command. */
export interface CliArgs {
  command: string;
  positionals: string[];
  json: boolean;
  follow: boolean;
  lines: number | null;
  level: string | null;
  since: string | null;
  verify: boolean;
  type: string | null;
  output: string | null;
  foreground: boolean;
  timeoutSec: number;
}

/** What a command runs with. */
export interface CommandContext {
  args: CliArgs;
  out: Out;
  userDataDir: string;
  socketPath: string;
  /** Connect to the running app (NotRunningError when it is not running). */
  connect(): Promise<AppClient>;
}

/** A usage mistake: printed with the usage line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A request the app refused or failed: its message is already advice; exit 1. */
export class AppError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppError';
  }
}

/** The value of a result, or an AppError with the app's own message. */
export function valueOf<T>(result: IpcResult<T>): T {
  if (result.ok) return result.value;
  throw new AppError(result.error.message);
}
