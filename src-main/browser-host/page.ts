import { CONTENT_SECURITY_POLICY } from '../../src-shared/security/csp';

/** The browser-hosted page gets the same CSP as the Electron window. */
export const BROWSER_CSP = CONTENT_SECURITY_POLICY;

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
