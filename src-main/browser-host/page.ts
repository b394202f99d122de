/** CSP for the browser-hosted page: same as the Electron window's, plus the IPC socket. */
export const BROWSER_CSP = [
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
].join('; ');

/**
 * Put the bridge script ahead of the app's module script: module scripts run in document
 * order, so `window.stigmer` exists before the app starts.
 */
export function injectBridge(html: string): string {
  const tag = '<script type="module" src="./browser-bridge.js"></script>';
  const at = html.indexOf('<script');
  if (at === -1) return html.replace('</head>', `${tag}\n</head>`);
  return html.slice(0, at) + tag + '\n    ' + html.slice(at);
}
