import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src-shared/model/errors';
import { describeWriteFailure } from './durable-file';
import { adoptEnvironmentKeys, checkKeyInput } from './key-injection';
import { AlwaysGrant, SecretStore, SessionOnlyStore } from './secrets';

const CANARY = `sk-ant-canary-${'c4n4ry'.repeat(8)}`;
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function refused(name: string, value: string): UserError {
  try {
    checkKeyInput(name, value);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('bad-arguments');
    expect((error as UserError).message).not.toContain(CANARY);
    return error as UserError;
  }
  throw new Error('checkKeyInput accepted it');
}

describe('checkKeyInput (the dialog: secrets:set and secrets:rotate)', () => {
  it('returns the trimmed value with a note for the window', () => {
    expect(checkKeyInput('ANTHROPIC_API_KEY', `${CANARY}\n`)).toEqual({
      value: CANARY,
      notice: 'Removed a trailing newline from the pasted key.',
    });
    expect(checkKeyInput('ANTHROPIC_API_KEY', `${CANARY}\r\n`).value).toBe(CANARY);
    expect(checkKeyInput('ANTHROPIC_API_KEY', CANARY)).toEqual({ value: CANARY, notice: null });
  });

  it('refuses NUL, ESC, DEL, U+00A0 and an inner tab with the position and kind', () => {
    const at = (i: number, c: string) => CANARY.slice(0, i) + c + CANARY.slice(i);
    expect(refused('ANTHROPIC_API_KEY', at(11, '\0')).message).toBe(
      "The key contains a control character (NUL) at position 12. Paste the key again from your provider's console.",
    );
    expect(refused('ANTHROPIC_API_KEY', at(3, '\x1b')).message).toContain('(ESC) at position 4');
    expect(refused('ANTHROPIC_API_KEY', at(30, '\x7f')).message).toContain('(DEL) at position 31');
    expect(refused('ANTHROPIC_API_KEY', at(7, '\u00a0')).message).toContain(
      'a no-break space (U+00A0) at position 8',
    );
    expect(refused('ANTHROPIC_API_KEY', at(9, '\t')).message).toContain('a tab at position 10');
  });

  it('refuses names the app does not manage', () => {
    expect(refused('PATH', CANARY).message).toMatch(/^PATH is not a key Stigmer Local manages\./);
  });
});

describe('adoptEnvironmentKeys', () => {
  it('skips a bad value with a message, trims a good one, and empties the env either way', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-env-keys-'));
    const store = await SecretStore.open({
      userDataDir: dir,
      keychain: new SessionOnlyStore('none'),
      gate: new AlwaysGrant(),
    });
    const env: NodeJS.ProcessEnv = {
      ANTHROPIC_API_KEY: `${CANARY}\0`,
      OPENAI_API_KEY: 'sk-from-a-shell-profile\n',
      PATH: '/usr/bin',
    };
    const messages: string[] = [];
    await adoptEnvironmentKeys(store, env, (m) => messages.push(m));
    expect(env).toEqual({ PATH: '/usr/bin' });
    expect(messages).toEqual([
      `ANTHROPIC_API_KEY from the environment was not used: The key contains a control character (NUL) at position ${CANARY.length + 1}. Paste the key again from your provider's console. Enter it in Keys instead.`,
    ]);
    expect(store.info('ANTHROPIC_API_KEY').set).toBe(false);
    expect(store.withValue('OPENAI_API_KEY', (v) => v)).toBe('sk-from-a-shell-profile');
    store.dispose();
  });

  it('a value that cannot be stored is reported, and the app goes on', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-env-keys-'));
    const store = await SecretStore.open({
      userDataDir: dir,
      keychain: new SessionOnlyStore('none'),
      gate: new AlwaysGrant(),
    });
    // A folder where keys.json goes: a real write failure, even as root.
    await mkdir(join(dir, 'keys.json', 'in-the-way'), { recursive: true });
    const messages: string[] = [];
    await adoptEnvironmentKeys(store, { ANTHROPIC_API_KEY: CANARY }, (m) => messages.push(m));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(
      /^ANTHROPIC_API_KEY from the environment was not used: Could not save ANTHROPIC_API_KEY: a folder is in the way/,
    );
    expect(messages[0]).not.toContain(CANARY);
    expect(store.info('ANTHROPIC_API_KEY').set).toBe(false);
    store.dispose();
  });
});

describe.runIf(existsSync('/dev/full'))('describeWriteFailure', () => {
  it('says "the disk is full" for a real ENOSPC (from /dev/full)', async () => {
    const error = await writeFile('/dev/full', 'x').catch((e: unknown) => e);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(describeWriteFailure(error, '/data/keys.json')).toEqual({
      why: 'the disk is full (ENOSPC writing keys.json)',
      todo: 'free some space and try again',
    });
  });
});
