import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Signed macOS builds run node-script services under the app's own binary, so they inherit its
// hardened runtime; these are the exceptions V8 and others' native add-ons need (issue 10, #16).
const file = path.join(import.meta.dirname, '..', '..', 'resources', 'entitlements.mac.plist');

/** The top-level <dict> of a plist as key -> 'true' | 'false' | other tag, strictly in pairs. */
function parsePlistBooleans(xml: string): Map<string, string> {
  const body = /<plist version="1\.0">\s*<dict>([\s\S]*?)<\/dict>\s*<\/plist>\s*$/.exec(
    xml.replace(/<!--[\s\S]*?-->/g, ''),
  );
  if (!body) throw new Error('not a plist with one top-level <dict>');
  const tokens = body[1]!.trim().split(/\s*(?=<key>|<true\/>|<false\/>)\s*/);
  const entries = new Map<string, string>();
  for (let i = 0; i < tokens.length; i += 2) {
    const key = /^<key>([^<]+)<\/key>$/.exec(tokens[i]!);
    const value = /^<(true|false)\/>$/.exec(tokens[i + 1] ?? '');
    if (!key || !value) throw new Error(`unexpected ${tokens[i]} ${tokens[i + 1]}`);
    entries.set(key[1]!, value[1]!);
  }
  return entries;
}

describe('resources/entitlements.mac.plist', () => {
  const entries = parsePlistBooleans(readFileSync(file, 'utf8'));

  it('grants exactly JIT, unsigned executable memory and add-ons signed by others', () => {
    expect(Object.fromEntries(entries)).toEqual({
      'com.apple.security.cs.allow-jit': 'true',
      'com.apple.security.cs.allow-unsigned-executable-memory': 'true',
      'com.apple.security.cs.disable-library-validation': 'true',
    });
  });

  it('says why library validation is off', () => {
    expect(readFileSync(file, 'utf8')).toMatch(/disable-library-validation:[^>]*native add-ons/);
  });

  it.runIf(process.platform === 'darwin')('passes plutil -lint', () => {
    expect(execFileSync('plutil', ['-lint', file], { encoding: 'utf8' })).toMatch(/OK/);
  });
});
