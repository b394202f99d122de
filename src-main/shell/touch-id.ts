import type { SystemPreferences } from 'electron';
import type { UnlockGate } from '../core/secrets/unlock-gate';

/** The two systemPreferences methods the gate uses (injected so tests run in plain Node). */
export type TouchIdPreferences = Pick<SystemPreferences, 'canPromptTouchID' | 'promptTouchID'>;

/**
 * The Touch ID unlock gate: on macOS with Touch ID available it prompts with
 * `systemPreferences.promptTouchID`; a resolved prompt grants, any rejection (cancel, lockout,
 * no enrolled finger, any error) denies. Elsewhere, or without Touch ID, it is the 'none' gate
 * that grants without asking. Pure: electron is only a type here, main.ts passes the real object.
 */
export function createTouchIdGate(
  systemPreferences: TouchIdPreferences,
  platform: NodeJS.Platform,
): UnlockGate {
  const canPrompt = (): boolean => {
    if (platform !== 'darwin') return false;
    try {
      return systemPreferences.canPromptTouchID();
    } catch {
      return false;
    }
  };

  if (!canPrompt()) {
    return {
      kind: 'none',
      available: async () => false,
      request: async () => 'granted',
    };
  }

  return {
    kind: 'touch-id',
    // Re-checked on each call: Touch ID can be disabled or locked out while the app runs.
    available: async () => canPrompt(),
    request: async (reason) => {
      try {
        await systemPreferences.promptTouchID(reason);
        return 'granted';
      } catch {
        return 'denied';
      }
    },
  };
}
