import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFingerprinter, INSTALL_KEY_FILE, loadInstallKey } from './fingerprint';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stigmer-fp-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('fingerprint', () => {
  it('creates a 32-byte install key with mode 0600 and reuses it', async () => {
    const dir = await tempDir();
    const key = await loadInstallKey(join(dir, 'nested'));
    expect(key.length).toBe(32);
    const mode = (await stat(join(dir, 'nested', INSTALL_KEY_FILE))).mode & 0o777;
    if (process.platform !== 'win32') expect(mode).toBe(0o600);
    expect((await loadInstallKey(join(dir, 'nested'))).equals(key)).toBe(true);
  });

  it('is stable within an install, differs across installs, and is not a plain hash', async () => {
    const value = 'sk-ant-fingerprint-test-value';
    const a = await createFingerprinter(await tempDir());
    const b = await createFingerprinter(await tempDir());
    const fa = a(Buffer.from(value));
    expect(fa).toMatch(/^fp:[0-9a-f]{12}$/);
    expect(a(Buffer.from(value))).toBe(fa);
    expect(a(Buffer.from(`${value}x`))).not.toBe(fa);
    expect(b(Buffer.from(value))).not.toBe(fa);
    const sha = createHash('sha256').update(value).digest('hex');
    expect(fa).not.toContain(sha.slice(0, 8));
    expect(fa).not.toContain(value);
  });
});
