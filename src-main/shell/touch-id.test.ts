import { describe, expect, it, vi } from 'vitest';
import { createTouchIdGate, type TouchIdPreferences } from './touch-id';

function fakePreferences(canPrompt: boolean, prompt: () => Promise<void>) {
  return {
    canPromptTouchID: vi.fn<() => boolean>(() => canPrompt),
    promptTouchID: vi.fn<(reason: string) => Promise<void>>(prompt),
  } satisfies TouchIdPreferences;
}

describe('createTouchIdGate', () => {
  it('macOS with Touch ID: a resolved prompt grants, with the reason passed through', async () => {
    const prefs = fakePreferences(true, () => Promise.resolve());
    const gate = createTouchIdGate(prefs, 'darwin');
    expect(gate.kind).toBe('touch-id');
    expect(await gate.available()).toBe(true);
    expect(await gate.request('release ANTHROPIC_API_KEY')).toBe('granted');
    expect(prefs.promptTouchID).toHaveBeenCalledWith('release ANTHROPIC_API_KEY');
  });

  it('macOS with Touch ID: a cancelled (rejected) prompt denies', async () => {
    const prefs = fakePreferences(true, () => Promise.reject(new Error('User canceled')));
    const gate = createTouchIdGate(prefs, 'darwin');
    expect(await gate.request('release a key')).toBe('denied');
    expect(prefs.promptTouchID).toHaveBeenCalledTimes(1);
  });

  it('macOS with Touch ID: a lockout or any other error denies', async () => {
    const prefs = fakePreferences(true, () => Promise.reject(new Error('Biometry is locked out')));
    expect(await createTouchIdGate(prefs, 'darwin').request('x')).toBe('denied');
  });

  it('macOS with Touch ID: availability is re-checked on every call', async () => {
    const prefs = fakePreferences(true, () => Promise.resolve());
    const gate = createTouchIdGate(prefs, 'darwin');
    prefs.canPromptTouchID.mockReturnValue(false);
    expect(await gate.available()).toBe(false);
  });

  it('macOS without Touch ID at startup: a key that requires it is DENIED, never released', async () => {
    const prefs = fakePreferences(false, () => Promise.reject(new Error('must not be called')));
    const gate = createTouchIdGate(prefs, 'darwin');
    expect(gate.kind).toBe('touch-id');
    expect(await gate.available()).toBe(false);
    expect(await gate.request('release ANTHROPIC_API_KEY')).toBe('denied');
    expect(prefs.promptTouchID).not.toHaveBeenCalled();
  });

  it('macOS: decided at release time, so Touch ID that comes back later prompts again', async () => {
    const prefs = fakePreferences(false, () => Promise.resolve());
    const gate = createTouchIdGate(prefs, 'darwin');
    expect(await gate.request('x')).toBe('denied');
    prefs.canPromptTouchID.mockReturnValue(true);
    expect(await gate.request('x')).toBe('granted');
    expect(prefs.promptTouchID).toHaveBeenCalledTimes(1);
  });

  it('macOS where canPromptTouchID throws: denies without prompting', async () => {
    const prefs = fakePreferences(true, () => Promise.resolve());
    prefs.canPromptTouchID.mockImplementation(() => {
      throw new Error('not supported');
    });
    const gate = createTouchIdGate(prefs, 'darwin');
    expect(gate.kind).toBe('touch-id');
    expect(await gate.request('x')).toBe('denied');
    expect(prefs.promptTouchID).not.toHaveBeenCalled();
  });

  it.each(['linux', 'win32'] as const)('%s: "none", never asks the OS', async (platform) => {
    const prefs = fakePreferences(true, () => Promise.reject(new Error('must not be called')));
    const gate = createTouchIdGate(prefs, platform);
    expect(gate.kind).toBe('none');
    expect(await gate.available()).toBe(false);
    expect(await gate.request('x')).toBe('granted');
    expect(prefs.canPromptTouchID).not.toHaveBeenCalled();
    expect(prefs.promptTouchID).not.toHaveBeenCalled();
  });
});
