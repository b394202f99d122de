import { create } from 'zustand';
import { api } from '../api/client';
import { isConnected } from '../api/connection';
import { whilePending } from './pending';
import { lockedNotice } from './key-notices';
import type { SecretsSnapshot } from '../../src-shared/model/secret';

/** A key for an in-flight action: lock all keys, or one key by name. */
export type SecretPendingKey = 'lock' | `key:${string}`;

/** Which key the dialog asks for, and whether it replaces a value already set. */
export interface KeyDialogState {
  name: string;
  mode: 'enter' | 'rotate';
}

interface SecretsState {
  /** Metadata only: names, sources, fingerprints. Never a value. */
  snapshot: SecretsSnapshot | null;
  pending: Partial<Record<SecretPendingKey, string>>;
  /** The last Keys-view action error, written as advice; cleared by the next action. */
  error: string | null;
  dialog: KeyDialogState | null;
  /**
   * Needed keys whose dialog the user closed during the current "needed" episode; a key leaves
   * this list once the snapshot stops listing it as needed, so the next episode asks again.
   */
  declined: string[];
  init(): () => void;
  openDialog(name: string, mode: KeyDialogState['mode']): void;
  closeDialog(): void;
  /** Sends a value to main once (the value is passed through, never kept); rejects with advice. */
  save(name: string, value: string, remember: boolean, requireTouchId: boolean): Promise<void>;
  /** Rotation: main tries the new key on its services and keeps it only if they come up. */
  rotate(name: string, value: string, remember: boolean, requireTouchId: boolean): Promise<void>;
  /** The outcome of the last rotation, or a note about a saved key, shown until dismissed. */
  notice: { kind: 'ok' | 'warn' | 'info'; text: string } | null;
  dismissNotice(): void;
  remove(name: string): Promise<void>;
  /** Forgets all keys from memory; the notice then says what that means with this keychain. */
  lock(): Promise<void>;
  /** Reads the keys again (after a reconnect: events may have been missed). */
  resync(): void;
  dismissError(): void;
}

/** Secrets store: key metadata pushed by main, the key dialog's target, and key actions. */
export const useSecrets = create<SecretsState>((set, get) => {
  /** Opens the dialog for the first needed key the user has not declined, if none is open. */
  const autoOpen = (): void => {
    const { snapshot, dialog, declined } = get();
    if (!snapshot || dialog) return;
    const next = snapshot.needed.find((name) => !declined.includes(name));
    if (next) set({ dialog: { name: next, mode: 'enter' } });
  };
  const accept = (next: SecretsSnapshot): void => {
    const declined = get().declined.filter((name) => next.needed.includes(name));
    set({ snapshot: next, declined });
    autoOpen();
  };
  const run = async (key: SecretPendingKey, label: string, action: () => Promise<unknown>) => {
    if (get().pending[key]) return;
    set({ error: null });
    try {
      await whilePending(set, key, label, action);
    } catch (error) {
      // While the app does not answer, the connection banner says so (not one error per action).
      if (isConnected()) set({ error: error instanceof Error ? error.message : String(error) });
      void api.secretsSnapshot().then(accept, () => undefined);
    }
  };
  return {
    snapshot: null,
    pending: {},
    error: null,
    dialog: null,
    declined: [],
    init() {
      const off = api.onSecretsChanged(accept);
      api.secretsSnapshot().then(accept, (e: Error) => set({ error: e.message }));
      // The tray's "Rotate…": taken at start too, in case it came before this window loaded.
      const takeRequest = () =>
        api.takeKeyDialogRequest().then(
          (request) => {
            // A dialog already open keeps what the user is typing; the request waits no longer.
            if (request && !get().dialog) set({ dialog: request });
          },
          () => undefined,
        );
      const offRequest = api.onKeyDialogRequested(takeRequest);
      void takeRequest();
      return () => {
        off();
        offRequest();
      };
    },
    openDialog: (name, mode) => set({ dialog: { name, mode } }),
    closeDialog() {
      const { dialog, snapshot, declined } = get();
      if (!dialog) return;
      const stillNeeded = snapshot?.needed.includes(dialog.name) ?? false;
      set({
        dialog: null,
        declined:
          stillNeeded && !declined.includes(dialog.name) ? [...declined, dialog.name] : declined,
      });
      autoOpen();
    },
    async save(name, value, remember, requireTouchId) {
      // Errors go back to the dialog, which shows them and keeps what was typed.
      const keys = await whilePending(set, `key:${name}`, 'Saving…', () =>
        api.setSecret(name, value, remember, requireTouchId),
      );
      accept(keys);
      // E.g. "Removed a trailing newline from the pasted key." (the dialog closes on success).
      if (keys.notice) set({ notice: { kind: 'info', text: keys.notice } });
    },
    async rotate(name, value, remember, requireTouchId) {
      set({ notice: null });
      const result = await whilePending(set, `key:${name}`, 'Rotating…', () =>
        api.rotateSecret(name, value, remember, requireTouchId),
      );
      accept(result.keys);
      const text = result.notice ? `${result.message} ${result.notice}` : result.message;
      set({ notice: { kind: result.outcome === 'rotated' ? 'ok' : 'warn', text } });
    },
    notice: null,
    dismissNotice: () => set({ notice: null }),
    remove: (name) =>
      run(`key:${name}`, 'Deleting…', async () => accept(await api.deleteSecret(name))),
    lock: () =>
      run('lock', 'Locking…', async () => {
        const keys = await api.lockSecrets();
        accept(keys);
        set({ notice: { kind: 'info', text: lockedNotice(keys) } });
      }),
    resync() {
      api.secretsSnapshot().then(
        (keys) => {
          accept(keys);
          if (get().error) set({ error: null });
        },
        () => undefined,
      );
    },
    dismissError: () => set({ error: null }),
  };
});
