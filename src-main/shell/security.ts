import type { App, Session, WebContents, WebPreferences } from 'electron';
import { RENDERER_URL } from './app-url';
import { CONTENT_SECURITY_POLICY } from '../../src-shared/security/csp';

// The Electron security checklist (https://www.electronjs.org/docs/latest/tutorial/security)
// in one file, after Podman Desktop's security-restrictions.ts. Item numbers refer to that page.
// Only `import type` from electron: this module is unit-tested in plain Node.

/** WebPreferences for every window this app opens; nothing here is negotiable per window. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true, // #4 Enable process sandboxing
    contextIsolation: true, // #3 Enable context isolation
    nodeIntegration: false, // #2 Do not enable Node.js integration for remote content
    nodeIntegrationInWorker: false, // #2 (workers too)
    nodeIntegrationInSubFrames: false, // #2 (frames too)
    webSecurity: true, // #6 Do not disable webSecurity
    allowRunningInsecureContent: false, // #8 Do not enable allowRunningInsecureContent
    experimentalFeatures: false, // #9 Do not enable experimental features
    webviewTag: false, // #12 Verify WebView options before creation (we allow none)
    spellcheck: false, // no dictionary downloads, no text leaving for the spell service
    navigateOnDragDrop: false, // #13 Disable or limit navigation (a dropped file must not replace the page)
    safeDialogs: true, // a looping alert() cannot lock the window
  };
}

/** #7 Define a Content Security Policy (shared with the browser host). */
export { CONTENT_SECURITY_POLICY };

/** Response headers with our CSP replacing any CSP already present (whatever its casing). */
export function withCspHeader(
  headers: Record<string, string[]> | undefined,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

/** #7 Deliver the CSP as a header on every response of the session (belt to the protocol's braces). */
export function applyContentSecurityPolicy(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCspHeader(details.responseHeaders) });
  });
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * #17 Validate the sender of all IPC messages: only the app's own page, compared by scheme,
 * host and path (query and hash ignored). Works for `app://stigmer/index.html` (what we load)
 * and for a `file://` index, where a sibling file or another directory is refused.
 */
export function isTrustedSenderUrl(url: string, appRootUrl: string): boolean {
  const sender = parse(url);
  const root = parse(appRootUrl);
  if (!sender || !root) return false;
  return (
    sender.protocol === root.protocol &&
    sender.host === root.host &&
    sender.pathname === root.pathname &&
    sender.username === '' &&
    sender.password === ''
  );
}

/** #13 Disable or limit navigation: the window may only ever show the app page. */
export function isAllowedNavigation(url: string, appUrl: string = RENDERER_URL): boolean {
  return isTrustedSenderUrl(url, appUrl);
}

/** What to do with a window.open / target=_blank request. */
export interface WindowOpenDecision {
  action: 'deny';
  /** A normalised https URL to hand to the system browser, or null to drop the request. */
  openExternal: string | null;
}

/**
 * #14 Disable or limit creation of new windows, and #15 Do not use shell.openExternal with
 * untrusted content: never a new Electron window; only a parsed https: URL without embedded
 * credentials goes to the system browser (no file:, javascript:, data:, custom schemes, http:).
 */
export function decideWindowOpen(url: string): WindowOpenDecision {
  const parsed = parse(url);
  const safe =
    parsed !== null &&
    parsed.protocol === 'https:' &&
    parsed.hostname !== '' &&
    parsed.username === '' &&
    parsed.password === '';
  return { action: 'deny', openExternal: safe ? parsed.href : null };
}

/** The permissions the app's own page may use: Logs → Copy writes to the clipboard. */
export const APP_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/**
 * #5 The one permission rule: granted only for a permission in APP_PERMISSIONS asked by the
 * app's own page (compared like an IPC sender: scheme, host and path); everything else denied.
 */
export function isPermissionAllowed(
  permission: string,
  requestingUrl: string | undefined,
  appUrl: string = RENDERER_URL,
): boolean {
  return (
    APP_PERMISSIONS.has(permission) &&
    requestingUrl !== undefined &&
    isTrustedSenderUrl(requestingUrl, appUrl)
  );
}

/** #5 Handle session permission requests: only the app page's clipboard write is granted. */
export function permissionRequestHandler(
  _webContents: WebContents,
  permission: string,
  callback: (granted: boolean) => void,
  details?: { requestingUrl?: string; isMainFrame?: boolean },
): void {
  // A frame inside the page (there should be none) never gets anything.
  if (details?.isMainFrame === false) return callback(false);
  callback(isPermissionAllowed(permission, details?.requestingUrl));
}

/**
 * #5 The synchronous side of the same rule. Chromium checks clipboard writes with the
 * requesting URL in the details (or the WebContents' URL when a check has none).
 */
export function permissionCheckHandler(
  webContents: Pick<WebContents, 'getURL'> | null,
  permission: string,
  _requestingOrigin?: string,
  details?: { requestingUrl?: string; isMainFrame?: boolean },
): boolean {
  if (details?.isMainFrame === false) return false;
  return isPermissionAllowed(permission, details?.requestingUrl ?? webContents?.getURL());
}

/** Side effects the wiring needs, injected so tests can pass fakes. */
export interface SecurityDeps {
  app: Pick<App, 'on'>;
  session: Session;
  /** shell.openExternal in production. */
  openExternal: (url: string) => Promise<void>;
  appUrl?: string;
  log?: (message: string) => void;
}

/** Lock down one WebContents: navigation, redirects, new windows, webviews. */
export function secureWebContents(
  contents: WebContents,
  deps: Pick<SecurityDeps, 'openExternal' | 'appUrl' | 'log'>,
): void {
  const appUrl = deps.appUrl ?? RENDERER_URL;
  const log = deps.log ?? (() => undefined);
  // #13 will-navigate covers links and location changes; will-redirect covers server redirects.
  const guard = (event: { url: string; preventDefault(): void }) => {
    if (!isAllowedNavigation(event.url, appUrl)) {
      event.preventDefault();
      log(`Blocked navigation to ${event.url}`);
    }
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  // #12 Verify WebView options before creation: webviewTag is off, refuse attachment anyway.
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('Blocked a <webview>');
  });
  // #14 + #15
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url);
    if (decision.openExternal !== null) {
      deps.openExternal(decision.openExternal).catch((error: unknown) => {
        log(`Could not open ${decision.openExternal}: ${String(error)}`);
      });
    } else {
      log(`Blocked window.open(${url})`);
    }
    return { action: decision.action };
  });
}

/**
 * Apply the checklist to the session and to every WebContents ever created (including ones
 * we did not create on purpose), so no window can slip past the rules.
 */
export function applySecurity(deps: SecurityDeps): void {
  deps.session.setPermissionRequestHandler(permissionRequestHandler); // #5
  deps.session.setPermissionCheckHandler(permissionCheckHandler); // #5
  deps.session.setDevicePermissionHandler(() => false); // #5 (USB/HID/serial)
  applyContentSecurityPolicy(deps.session); // #7
  deps.app.on('web-contents-created', (_event, contents) => secureWebContents(contents, deps));
}
