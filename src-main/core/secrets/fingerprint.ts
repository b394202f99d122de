import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** File name of the per-install HMAC key under the user data dir. */
export const INSTALL_KEY_FILE = 'install-key';
const KEY_BYTES = 32;

/** Computes the short display fingerprint of a value. */
export type Fingerprinter = (value: Buffer) => string;

/**
 * `fp:` + the first 12 hex chars of HMAC-SHA256(value) under the install key. Keyed so that
 * a fingerprint cannot be checked against guesses or a leaked key's plain hash elsewhere.
 */
export function fingerprintWith(installKey: Buffer, value: Buffer): string {
  return `fp:${createHmac('sha256', installKey).update(value).digest('hex').slice(0, 12)}`;
}

/**
 * Reads `<userDataDir>/install-key`, creating it (32 random bytes, mode 0600) on first use.
 * It is not a secret value, but private to this install so fingerprints do not travel.
 */
export async function loadInstallKey(userDataDir: string): Promise<Buffer> {
  const path = join(userDataDir, INSTALL_KEY_FILE);
  try {
    const key = await readFile(path);
    if (key.length === KEY_BYTES) return key;
    // A truncated or foreign file: a fresh key only changes how fingerprints look.
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(userDataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  try {
    // 'wx' so two starting instances cannot overwrite each other's key.
    await writeFile(path, key, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const existing = await readFile(path);
    if (existing.length === KEY_BYTES) return existing;
    await writeFile(path, key, { mode: 0o600 });
    return key;
  }
}

/** A fingerprinter bound to this install's key (created on first use). */
export async function createFingerprinter(userDataDir: string): Promise<Fingerprinter> {
  const key = await loadInstallKey(userDataDir);
  return (value) => fingerprintWith(key, value);
}
