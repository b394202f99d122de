import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { Protocol } from 'electron';
import {
  APP_SCHEME_PRIVILEGES,
  contentTypeFor,
  resolveAppAsset,
  serveAppProtocol,
} from './app-protocol';
import { APP_SCHEME, RENDERER_URL } from './app-url';
import { CONTENT_SECURITY_POLICY } from './security';

const root = path.resolve('/opt/stigmer/dist/renderer');

describe('resolveAppAsset', () => {
  it('maps app URLs to files under the root', () => {
    expect(resolveAppAsset(RENDERER_URL, root)).toBe(path.join(root, 'index.html'));
    expect(resolveAppAsset('app://stigmer/', root)).toBe(path.join(root, 'index.html'));
    expect(resolveAppAsset('app://stigmer/assets/index-abc.js?v=1#x', root)).toBe(
      path.join(root, 'assets', 'index-abc.js'),
    );
    expect(resolveAppAsset('app://stigmer/a%20b.css', root)).toBe(path.join(root, 'a b.css'));
  });

  it('clamps dot-dot segments at the root, as the URL parser does', () => {
    for (const url of [
      'app://stigmer/../../etc/passwd',
      'app://stigmer/%2e%2e/%2e%2e/etc/passwd',
    ]) {
      expect(resolveAppAsset(url, root)).toBe(path.join(root, 'etc', 'passwd'));
    }
  });

  it.each([
    ['encoded slashes', 'app://stigmer/..%2f..%2fetc%2fpasswd'],
    ['backslashes', 'app://stigmer/..%5c..%5cwindows'],
    ['a NUL byte', 'app://stigmer/index.html%00.png'],
    ['bad escapes', 'app://stigmer/%E0%A4%A'],
    ['another host', 'app://other/index.html'],
    ['another scheme', 'file:///opt/stigmer/dist/renderer/index.html'],
    ['garbage', '::'],
  ])('refuses %s', (_what, url) => {
    expect(resolveAppAsset(url, root)).toBeNull();
  });
});

describe('app scheme', () => {
  it('is standard and secure, without CORS or CSP bypass', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true },
    });
  });

  it('types module scripts as JavaScript', () => {
    expect(contentTypeFor('/x/assets/index-1.js')).toMatch(/^text\/javascript/);
    expect(contentTypeFor('/x/index.html')).toMatch(/^text\/html/);
    expect(contentTypeFor('/x/blob.bin')).toBe('application/octet-stream');
  });

  it('serves files with the CSP and nosniff headers and 404s anything outside the root', async () => {
    let handler: ((request: Request) => Promise<Response>) | undefined;
    const protocol = {
      handle: (scheme: string, h: (request: Request) => Promise<Response>) => {
        expect(scheme).toBe('app');
        handler = h;
      },
    } as unknown as Protocol;
    const fetchFile = vi.fn(async () => new Response('<!doctype html>', { status: 200 }));
    serveAppProtocol(protocol, root, fetchFile);

    const ok = await handler!(new Request(RENDERER_URL));
    expect(fetchFile).toHaveBeenCalledWith(pathToFileURL(path.join(root, 'index.html')).toString());
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect(ok.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await ok.text()).toBe('<!doctype html>');

    fetchFile.mockClear();
    const escape = await handler!(new Request('app://stigmer/..%2f..%2fetc%2fpasswd'));
    expect(escape.status).toBe(404);
    expect(fetchFile).not.toHaveBeenCalled();
  });
});
