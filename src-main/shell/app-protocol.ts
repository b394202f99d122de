import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CustomScheme, Protocol } from 'electron';
import { APP_HOST, APP_SCHEME } from './app-url';
import { CONTENT_SECURITY_POLICY } from './security';

/**
 * Privileges for `protocol.registerSchemesAsPrivileged` (must run before app ready).
 * `standard` gives URL semantics and an origin; `secure` makes it a secure context;
 * `supportFetchAPI` lets the page load its own module scripts. No `corsEnabled`: other
 * origins have no business reading these files, and no `bypassCSP`.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json; charset=utf-8',
};

/** MIME type by extension; module scripts are refused by Chromium without a JS type. */
export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Map an `app://stigmer/...` request to a file inside `rootDir`, or null when the URL is not
 * ours or would escape the root (`..`, encoded slashes, NUL bytes). Pure, so it is unit-tested.
 */
export function resolveAppAsset(requestUrl: string, rootDir: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const root = path.resolve(rootDir);
  const resolved = path.resolve(root, `.${pathname}`);
  // The prefix check is the real guard: whatever the decoding did, the file stays under root.
  if (resolved !== root && !resolved.startsWith(root + path.sep)) return null;
  if (resolved === root) return null;
  return resolved;
}

/** The fetch Electron's `net.fetch` provides (reads file:// URLs, including inside asar). */
export type FileFetch = (url: string) => Promise<Response>;

/**
 * Serve `rootDir` on `app://stigmer/` with the CSP and nosniff headers on every response.
 * `protocol` and `fetchFile` are injected so this module never loads electron at runtime.
 */
export function serveAppProtocol(protocol: Protocol, rootDir: string, fetchFile: FileFetch): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppAsset(request.url, rootDir);
    if (file === null) return new Response('Not found', { status: 404 });
    const upstream = await fetchFile(pathToFileURL(file).toString());
    const headers = new Headers();
    headers.set('Content-Type', contentTypeFor(file));
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(upstream.body, { status: upstream.status, headers });
  });
}
