import { describe, expect, it } from 'vitest';
import {
  HIDDEN_ARG,
  loginItemNote,
  loginItemRefusal,
  loginItemSettings,
  startedAtLogin,
  type LoginItemStatus,
} from './login-item';

describe('loginItemRefusal', () => {
  it('refuses from npm start (unpackaged) with advice, allows a packaged build', () => {
    expect(loginItemRefusal(false)).toMatch(/bare Electron binary.*npm run dist/);
    expect(loginItemRefusal(true)).toBeNull();
  });
});

describe('loginItemSettings', () => {
  it('macOS: a mainAppService item, no args (Windows-only) and no openAsHidden (gone on 13+)', () => {
    expect(loginItemSettings(true, 'darwin')).toEqual({
      openAtLogin: true,
      type: 'mainAppService',
    });
    expect(loginItemSettings(false, 'darwin')).toEqual({
      openAtLogin: false,
      type: 'mainAppService',
    });
  });

  it('Windows: --hidden in the args when on', () => {
    expect(loginItemSettings(true, 'win32')).toEqual({ openAtLogin: true, args: [HIDDEN_ARG] });
    expect(loginItemSettings(false, 'win32')).toEqual({ openAtLogin: false, args: [] });
  });
});

describe('startedAtLogin', () => {
  it.each(['linux', 'win32', 'darwin'] as const)(
    '%s: --hidden means the login started us',
    (platform) => {
      expect(startedAtLogin({ platform, argv: ['/app', HIDDEN_ARG] })).toBe(true);
    },
  );

  it.each(['linux', 'win32'] as const)('%s: no --hidden, a window', (platform) => {
    expect(startedAtLogin({ platform, argv: ['/app'], status: 'enabled' })).toBe(false);
  });

  it('macOS before 13: wasOpenedAtLogin decides', () => {
    expect(startedAtLogin({ platform: 'darwin', argv: [], wasOpenedAtLogin: true })).toBe(true);
  });

  it.each([
    ['enabled', true],
    ['not-registered', false],
    ['requires-approval', false],
    ['not-found', false],
  ] as [LoginItemStatus, boolean][])(
    'macOS 13+ (wasOpenedAtLogin false): status %s -> hidden %s',
    (status, hidden) => {
      expect(
        startedAtLogin({ platform: 'darwin', argv: [], wasOpenedAtLogin: false, status }),
      ).toBe(hidden);
    },
  );
});

describe('loginItemNote', () => {
  it('requires-approval names where to approve; not-found says what to do; others none', () => {
    expect(loginItemNote('requires-approval')).toMatch(/System Settings → General → Login Items/);
    expect(loginItemNote('not-found')).toMatch(/Applications/);
    expect(loginItemNote('enabled')).toBeNull();
    expect(loginItemNote(undefined)).toBeNull();
  });
});
