/**
 * The renderer is served from `app://stigmer/`, not `file://` (Electron security checklist
 * #18 "Avoid usage of the file:// protocol and prefer usage of custom protocols"): a custom
 * standard scheme gives the page a real origin, so 'self' in the CSP means "this app's files"
 * instead of "every file on disk", a compromised page cannot read ~/.ssh through file://, and
 * the CSP can be delivered as a response header (webRequest does not reliably see file://).
 */
export const APP_SCHEME = 'app';
/** Host part of the app origin; fixed, so a sender check is one exact comparison. */
export const APP_HOST = 'stigmer';
/** Origin of the renderer page. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The one page the window loads and the one sender trusted for IPC. */
export const RENDERER_URL = `${APP_ORIGIN}/index.html`;
