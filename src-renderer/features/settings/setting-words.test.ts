import { describe, expect, it } from 'vitest';
import { plainSettingsError } from './setting-words';

describe('plainSettingsError', () => {
  it('turns the router refusal of an idle value into the form label, without channel or field', () => {
    const text = plainSettingsError(
      new Error('Invalid arguments for settings:set: keyIdleMinutes: at most 1440 (one day).'),
    );
    expect(text).toBe(
      'Forget keys after (minutes) must be at most 1440 (one day). Nothing was changed; correct it and save again.',
    );
    expect(text).not.toContain('settings:set');
    expect(text).not.toContain('keyIdleMinutes');
  });

  it('names the program, not binaries.<id>, and keeps several issues apart', () => {
    const text = plainSettingsError(
      new Error(
        'Invalid arguments for settings:set: binaries.temporal: a full path, starting with / (or ~/ for your home folder); binaries.node: at most 4096 characters.',
      ),
    );
    expect(text).toBe(
      'Temporal program must be a full path, starting with / (or ~/ for your home folder). Node for Node programs must be at most 4096 characters. Nothing was changed; correct it and save again.',
    );
    expect(text).not.toMatch(/binaries/);
  });

  it('lets a library message stand on its own and keeps an unknown field readable', () => {
    expect(
      plainSettingsError(
        new Error('Invalid arguments for settings:set: launchAtLogin: Invalid input.'),
      ),
    ).toBe('Start at login: Invalid input. Nothing was changed; correct it and save again.');
    expect(
      plainSettingsError(
        new Error('Invalid arguments for settings:set: arguments: Expected object.'),
      ),
    ).toBe('These settings: Expected object. Nothing was changed; correct it and save again.');
  });

  it('passes other messages (the core already wrote advice) through unchanged', () => {
    const advice = 'Could not save settings: the disk is full. Nothing was changed; free space.';
    expect(plainSettingsError(new Error(advice))).toBe(advice);
    expect(plainSettingsError('plain text')).toBe('plain text');
    // Another channel's refusal is not this form's to reword.
    const other = 'Invalid arguments for secrets:set: name: Invalid option.';
    expect(plainSettingsError(new Error(other))).toBe(other);
  });
});
