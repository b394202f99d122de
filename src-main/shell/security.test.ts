import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { App, Session, WebContents } from 'electron';
import { RENDERER_URL } from './app-url';
import {
  CONTENT_SECURITY_POLICY,
  applySecurity,
  decideWindowOpen,
  isAllowedNavigation,
  isTrustedSenderUrl,
  isPermissionAllowed,
  permissionCheckHandler,
  permissionRequestHandler,
  secureWebPreferences,
  withCspHeader,
} from './security';

describe('secureWebPreferences', () => {
  it('turns on every isolation switch and keeps the preload', () => {
    const prefs = secureWebPreferences('/app/dist/main/preload.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/dist/main/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      experimentalFeatures: false,
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  const directives = CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim());
  it.each([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ])('contains %s', (directive) => {
    expect(directives).toContain(directive);
  });

  it('allows no inline script, eval or remote origin', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('replaces an existing CSP header whatever its casing and keeps the others', () => {
    const out = withCspHeader({
      'content-security-policy': ['default-src *'],
      'Content-Type': ['text/html'],
    });
    expect(out).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
    expect(withCspHeader(undefined)).toEqual({
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
  });
});

describe('isTrustedSenderUrl', () => {
  it('trusts the app page, with or without hash and query', () => {
    expect(isTrustedSenderUrl(RENDERER_URL, RENDERER_URL)).toBe(true);
    expect(isTrustedSenderUrl(`${RENDERER_URL}#/logs`, RENDERER_URL)).toBe(true);
    expect(isTrustedSenderUrl(`${RENDERER_URL}?view=audit`, RENDERER_URL)).toBe(true);
  });

  it.each([
    ['another host on the app scheme', 'app://evil/index.html'],
    ['another page of the app origin', 'app://stigmer/other.html'],
    ['the same path over file://', 'file:///index.html'],
    ['a web page', 'http://evil.example/index.html'],
    ['a loopback page', 'http://127.0.0.1:5173/index.html'],
    ['credentials in the URL', 'app://user:pw@stigmer/index.html'],
    ['an empty sender (no frame)', ''],
    ['garbage', 'not a url'],
  ])('refuses %s', (_what, url) => {
    expect(isTrustedSenderUrl(url, RENDERER_URL)).toBe(false);
  });

  it('with a file:// root, trusts only that exact index', () => {
    const root = 'file:///opt/Stigmer%20Local/resources/app.asar/dist/renderer/index.html';
    expect(isTrustedSenderUrl(root, root)).toBe(true);
    expect(isTrustedSenderUrl(`${root}#/keys`, root)).toBe(true);
    expect(isTrustedSenderUrl('file:///tmp/evil/index.html', root)).toBe(false);
    expect(
      isTrustedSenderUrl(
        'file:///opt/Stigmer%20Local/resources/app.asar/dist/renderer/x.html',
        root,
      ),
    ).toBe(false);
    expect(isTrustedSenderUrl('http://evil/index.html', root)).toBe(false);
  });
});

describe('isAllowedNavigation', () => {
  it('allows only the app page', () => {
    expect(isAllowedNavigation(RENDERER_URL)).toBe(true);
    expect(isAllowedNavigation(`${RENDERER_URL}#/services`)).toBe(true);
    expect(isAllowedNavigation('https://example.com/')).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd')).toBe(false);
    expect(isAllowedNavigation('app://stigmer/assets/index.js')).toBe(false);
    expect(isAllowedNavigation('javascript:alert(1)')).toBe(false);
  });
});

describe('decideWindowOpen', () => {
  it('always denies, and hands a parsed https URL to the system browser', () => {
    expect(decideWindowOpen('https://docs.stigmer.ai/guide?x=1#top')).toEqual({
      action: 'deny',
      openExternal: 'https://docs.stigmer.ai/guide?x=1#top',
    });
    // Normalised by the URL parser, not passed through verbatim.
    expect(decideWindowOpen('HTTPS://Example.COM').openExternal).toBe('https://example.com/');
  });

  it.each([
    'http://example.com/',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'smb://host/share',
    'app://stigmer/index.html',
    'https://user:pw@example.com/',
    'not a url',
    '',
  ])('refuses to open %s externally', (url) => {
    expect(decideWindowOpen(url)).toEqual({ action: 'deny', openExternal: null });
  });
});

describe('permission handlers', () => {
  const page = { getURL: () => RENDERER_URL };
  const stranger = { getURL: () => 'https://example.com/' };

  it('deny every request and every check that is not the clipboard write', () => {
    const callback = vi.fn();
    permissionRequestHandler({} as WebContents, 'media', callback, { requestingUrl: RENDERER_URL });
    expect(callback).toHaveBeenCalledWith(false);
    for (const permission of ['media', 'clipboard-read', 'notifications', 'geolocation']) {
      expect(permissionCheckHandler(page, permission, 'app://stigmer', {})).toBe(false);
    }
  });

  it('grant clipboard-sanitized-write (Logs → Copy) to the app page, request and check', () => {
    const callback = vi.fn();
    permissionRequestHandler({} as WebContents, 'clipboard-sanitized-write', callback, {
      requestingUrl: `${RENDERER_URL}#logs`,
      isMainFrame: true,
    });
    expect(callback).toHaveBeenCalledWith(true);
    expect(
      permissionCheckHandler(null, 'clipboard-sanitized-write', 'app://stigmer', {
        requestingUrl: RENDERER_URL,
        isMainFrame: true,
      }),
    ).toBe(true);
    // No requesting URL in the details: the WebContents' own URL decides.
    expect(permissionCheckHandler(page, 'clipboard-sanitized-write')).toBe(true);
  });

  it('deny clipboard-sanitized-write to any other origin, a sub frame or an unknown sender', () => {
    const callback = vi.fn();
    permissionRequestHandler({} as WebContents, 'clipboard-sanitized-write', callback, {
      requestingUrl: 'https://example.com/',
    });
    expect(callback).toHaveBeenCalledWith(false);
    expect(permissionCheckHandler(stranger, 'clipboard-sanitized-write')).toBe(false);
    expect(permissionCheckHandler(null, 'clipboard-sanitized-write')).toBe(false);
    expect(
      permissionCheckHandler(page, 'clipboard-sanitized-write', 'app://stigmer', {
        requestingUrl: RENDERER_URL,
        isMainFrame: false,
      }),
    ).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://stigmer/other.html')).toBe(
      false,
    );
  });
});

/** A WebContents stand-in: an emitter that records the window-open handler. */
function fakeContents() {
  const emitter = new EventEmitter() as EventEmitter & {
    openHandler?: (details: { url: string }) => { action: string };
    setWindowOpenHandler(h: (details: { url: string }) => { action: string }): void;
  };
  emitter.setWindowOpenHandler = (h) => {
    emitter.openHandler = h;
  };
  return emitter;
}

function navigationEvent(url: string) {
  return { url, preventDefault: vi.fn() };
}

describe('applySecurity', () => {
  function setup() {
    const app = new EventEmitter();
    const session = {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      setDevicePermissionHandler: vi.fn(),
      webRequest: { onHeadersReceived: vi.fn() },
    };
    const openExternal = vi.fn(() => Promise.resolve());
    applySecurity({
      app: app as unknown as App,
      session: session as unknown as Session,
      openExternal,
    });
    const contents = fakeContents();
    app.emit('web-contents-created', {}, contents);
    return { session, openExternal, contents };
  }

  it('installs deny-all permission handlers and the CSP header hook', () => {
    const { session } = setup();
    expect(session.setPermissionRequestHandler).toHaveBeenCalledWith(permissionRequestHandler);
    expect(session.setPermissionCheckHandler).toHaveBeenCalledWith(permissionCheckHandler);
    const device = session.setDevicePermissionHandler.mock.calls[0]?.[0] as () => boolean;
    expect(device()).toBe(false);
    const hook = session.webRequest.onHeadersReceived.mock.calls[0]?.[0] as (
      d: { responseHeaders?: Record<string, string[]> },
      cb: (r: unknown) => void,
    ) => void;
    const cb = vi.fn();
    hook({ responseHeaders: { 'Content-Type': ['text/html'] } }, cb);
    expect(cb).toHaveBeenCalledWith({
      responseHeaders: {
        'Content-Type': ['text/html'],
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });

  it('blocks navigation and redirects away from the app page on every new WebContents', () => {
    const { contents } = setup();
    const away = navigationEvent('https://evil.example/');
    contents.emit('will-navigate', away);
    expect(away.preventDefault).toHaveBeenCalled();
    const redirect = navigationEvent('file:///etc/passwd');
    contents.emit('will-redirect', redirect);
    expect(redirect.preventDefault).toHaveBeenCalled();
    const home = navigationEvent(`${RENDERER_URL}#/logs`);
    contents.emit('will-navigate', home);
    expect(home.preventDefault).not.toHaveBeenCalled();
  });

  it('refuses webviews', () => {
    const { contents } = setup();
    const event = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('denies window.open, opening only https links externally', () => {
    const { contents, openExternal } = setup();
    expect(contents.openHandler?.({ url: 'https://stigmer.ai/' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://stigmer.ai/');
    openExternal.mockClear();
    expect(contents.openHandler?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'http://stigmer.ai/' })).toEqual({ action: 'deny' });
    expect(openExternal).not.toHaveBeenCalled();
  });
});
