import { z } from 'zod';

/** The default services whose program can be located in Settings, in start order. */
export const BINARY_SERVICES = ['temporal', 'stigmer-server', 'agent-runner'] as const;

/** One of BINARY_SERVICES. */
export type BinaryService = (typeof BINARY_SERVICES)[number];

/**
 * What Settings → Programs can locate: the default services' programs, and the Node that runs
 * Node programs (the agent-runner needs Node >= 22.13, which the app's own Node may not be).
 */
export const PROGRAMS = [...BINARY_SERVICES, 'node'] as const;

/** One of PROGRAMS. */
export type ProgramName = (typeof PROGRAMS)[number];

/** User settings that the window can read and change. */
export interface Settings {
  /** Forget keys from memory this many minutes after their last delivery; 0 = never. */
  keyIdleMinutes: number;
  /**
   * Where a default service's program is, when it is not on PATH or in ~/.stigmer/bin: an
   * executable, a Node script, or (stigmer-server) a package directory. Wins over every other
   * place; a missing service name means "look in the usual places". `node` is the Node to run
   * Node programs with; it is tried first, and passed over (with the reason shown) when it does
   * not satisfy a program's range.
   */
  binaries: Partial<Record<ProgramName, string>>;
  /** Start Stigmer Local (in the tray, window hidden) when the user logs in. Desktop app only. */
  launchAtLogin: boolean;
  /**
   * Check for a new Stigmer Local at start and daily, and download it in the background. Has an
   * effect only in a release build of the desktop app (builds from source never update).
   */
  autoUpdates: boolean;
}

/** Defaults for a new install. */
export const DEFAULT_SETTINGS: Settings = {
  keyIdleMinutes: 10,
  binaries: {},
  launchAtLogin: false,
  autoUpdates: true,
};

/** An absolute path, or one in the home directory (`~/…`); blank is not allowed (omit it). */
const binaryPath = z
  .string()
  .trim()
  .max(4096, 'at most 4096 characters')
  .refine((p) => p.startsWith('/') || p.startsWith('~/') || /^[A-Za-z]:[\\/]/.test(p), {
    message: 'a full path, starting with / (or ~/ for your home folder)',
  });

/** The settings schema: the file, and changes from the window, are checked against it. */
export const settingsSchema = z
  .object({
    keyIdleMinutes: z
      .number()
      .int('whole minutes')
      .min(0, 'at least 0 (0 = never forget)')
      .max(24 * 60, 'at most 1440 (one day)'),
    binaries: z.partialRecord(z.enum(PROGRAMS), binaryPath),
    launchAtLogin: z.boolean(),
    autoUpdates: z.boolean(),
  })
  .strict();
