import { z } from 'zod';

/** User settings that the window can read and change. */
export interface Settings {
  /** Forget keys from memory this many minutes after their last delivery; 0 = never. */
  keyIdleMinutes: number;
}

/** Defaults for a new install. */
export const DEFAULT_SETTINGS: Settings = { keyIdleMinutes: 10 };

/** The settings schema: the file, and changes from the window, are checked against it. */
export const settingsSchema = z
  .object({
    keyIdleMinutes: z
      .number()
      .int('whole minutes')
      .min(0, 'at least 0 (0 = never forget)')
      .max(24 * 60, 'at most 1440 (one day)'),
  })
  .strict();
