import type { SystemPreferences } from 'electron';
import type { UnlockGate } from '../core/secrets/unlock-gate';

/** The two systemPreferences methods the gate uses (injected so tests run in plain Node). */
export type TouchIdPreferences = Pick<SystemPreferences, 'canPromptTouchID' | 'promptTouchID'>;

/**
 * The Touch ID unlock gate. On macOS it is always the 'touch-id' gate and decides at release
 * time, never at startup: with Touch ID available it prompts with
 * `systemPreferences.promptTouchID` (a resolved prompt grants; any rejection — cancel, lockout,
 * no enrolled finger, any error — denies); when Touch ID cannot prompt right now (disabled,
 * lid closed, no hardware) a key that requires it is DENIED, never released unasked. Elsewhere
 * it is the 'none' gate that grants (no key can require Touch ID there). Pure: electron is only
 * a type here, main.ts passes the real object.
 */
export function createTouchIdGate(
  systemPreferences: TouchIdPreferences,
  platform: NodeJS.Platform,
): UnlockGate {
  if (platform !== 'darwin') {
    return {
      kind: 'none',
      available: async () => false,
      request: async () => 'granted',
    };
  }

  const canPrompt = (): boolean => {
    try {
      return systemPreferences.canPromptTouchID();
    } catch {
      return false;
    }
  };

  return {
    kind: 'touch-id',
    // Re-checked on each call: Touch ID can be disabled, locked out or come back while the app runs.
    available: async () => canPrompt(),
    request: async (reason) => {
      // Fail closed: a key saved with "require Touch ID" stays in the keychain when no prompt
      // can be shown; the user can enter it by hand or turn the requirement off.
      if (!canPrompt()) return 'denied';
      try {
        await systemPreferences.promptTouchID(reason);
        return 'granted';
      } catch {
        return 'denied';
      }
    },
  };
}
