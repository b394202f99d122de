import { UserError } from '../../../src-shared/model/errors';
import { describeWriteFailure } from '../durable-file';
import type { KeychainStore } from './keychain';

/** A copy of `value` in its own memory (never a pool slab), the caller's bytes zeroed. */
export function takeBytes(value: Buffer): Buffer {
  const copy = Buffer.alloc(value.length);
  value.copy(copy);
  value.fill(0);
  return copy;
}

/**
 * What the keychain held for a key before a change, so the change can be undone when a later
 * step (keys.json) fails. The copy never leaves the main process and is zeroed once settled.
 */
export class KeychainUndo {
  private constructor(
    private readonly keychain: KeychainStore,
    private readonly name: string,
    /** The old entry; null when there was none; undefined when it could not be read. */
    private before: Buffer | null | undefined,
  ) {}

  /** Reads the current entry (a locked keychain reads as "unknown"). */
  static async capture(keychain: KeychainStore, name: string): Promise<KeychainUndo> {
    let before: Buffer | null | undefined = null;
    if (keychain.available) {
      before = await keychain.get(name).catch(() => undefined);
    }
    return new KeychainUndo(keychain, name, before);
  }

  /** Puts the old entry back (or removes the new one); a problem, in words, or null. */
  async undo(): Promise<string | null> {
    const { keychain, name, before } = this;
    try {
      if (before) await keychain.set(name, before);
      else await keychain.delete(name);
      // An entry that could not be read before is gone now: say so rather than pretend.
      return before === undefined
        ? `the previous ${name} could not be read from the ${keychain.backend}, so it is not there any more`
        : null;
    } catch (error) {
      return `the ${keychain.backend} could not be put back as it was (${errorText(error)})`;
    } finally {
      this.discard();
    }
  }

  /** Zeroes the copy (the change went through). */
  discard(): void {
    this.before?.fill(0);
    this.before = null;
  }
}

/**
 * The error of a change that did not happen: which key, why (in plain words), that nothing
 * changed, and what to do. `undoProblem` is said when the keychain could not be put back.
 */
export function changeFailed(
  verb: 'save' | 'delete',
  name: string,
  error: unknown,
  path: string,
  undoProblem: string | null = null,
): UserError {
  const { why, todo } = describeWriteFailure(error, path);
  const state = undoProblem
    ? `The key in use and keys.json were not changed, but ${undoProblem}; enter the key again once this is fixed.`
    : 'Nothing was changed;';
  const advice = undoProblem ? `${capitalise(todo)}.` : `${todo}.`;
  return new UserError('failed', `Could not ${verb} ${name}: ${why}. ${state} ${advice}`);
}

/** First line of an error's message; keyring errors never contain the value. */
export function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
