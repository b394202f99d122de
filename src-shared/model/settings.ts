import { z } from 'zod';

/** The default services whose program can be located in Settings, in start order. */
export const BINARY_SERVICES = ['temporal', 'stigmer-server', 'agent-runner'] as const;

/** One of BINARY_SERVICES. */
export type BinaryService = (typeof BINARY_SERVICES)[number];

/** User settings that the window can read and change. */
export interface Settings {
  /** Forget keys from memory this many minutes after their last delivery; 0 = never. */
  keyIdleMinutes: number;
  /**
   * Where a default service's program is, when it is not on PATH or in ~/.stigmer/bin: an
   * executable, a Node script, or (stigmer-server) a package directory. Wins over every other
   * place; a missing service name means "look in the usual places".
   */
  binaries: Partial<Record<BinaryService, string>>;
  /** Start Stigmer Local (in the tray, window hidden) when the user logs in. Desktop app only. */
  launchAtLogin: boolean;
}

/** Defaults for a new install. */
export const DEFAULT_SETTINGS: Settings = {
  keyIdleMinutes: 10,
  binaries: {},
  launchAtLogin: false,
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
    binaries: z.partialRecord(z.enum(BINARY_SERVICES), binaryPath),
    launchAtLogin: z.boolean(),
  })
  .strict();
