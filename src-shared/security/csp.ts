/**
 * The renderer's Content Security Policy (Electron checklist #7), used by the Electron shell
 * and the browser host alike: everything comes from the app's own origin; no inline script,
 * no eval, no network beyond the app itself, no frames, no plugins.
 */
export const CONTENT_SECURITY_POLICY = [
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
