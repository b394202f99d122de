import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileDurably } from '../durable-file';
import { KEY_NAME_PATTERN } from './key-catalog';

/** File name of the per-key metadata under the user data dir. */
export const KEYS_FILE = 'keys.json';

/** What is kept on disk about a key: never its value. */
export interface KeyMetadata {
  remembered: boolean;
  requireTouchId: boolean;
  fingerprint: string | null;
  updatedAt: number | null;
}

const entrySchema = z.object({
  remembered: z.boolean(),
  requireTouchId: z.boolean(),
  fingerprint: z
    .string()
    .regex(/^fp:[0-9a-f]{12}$/)
    .nullable(),
  updatedAt: z.number().nullable(),
});
const fileSchema = z.object({
  version: z.literal(1),
  keys: z.record(z.string().regex(KEY_NAME_PATTERN), entrySchema),
});

/**
 * Reads `keys.json`; a missing or unreadable file starts empty, because the file only says
 * which keys to look for in the keychain and a lost one costs a re-entry, not a key.
 */
export async function readKeyMetadata(userDataDir: string): Promise<Map<string, KeyMetadata>> {
  let text: string;
  try {
    text = await readFile(join(userDataDir, KEYS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  try {
    const parsed = fileSchema.safeParse(JSON.parse(text));
    return parsed.success ? new Map(Object.entries(parsed.data.keys)) : new Map();
  } catch {
    return new Map();
  }
}

/**
 * Writes `keys.json` durably (unique temp file, fsync, rename, folder fsync) with mode 0600.
 * Rejects with the file-system error when it could not: the caller decides what that means.
 */
export async function writeKeyMetadata(
  userDataDir: string,
  keys: ReadonlyMap<string, KeyMetadata>,
): Promise<void> {
  await mkdir(userDataDir, { recursive: true, mode: 0o700 });
  const body = { version: 1, keys: Object.fromEntries(keys) };
  await writeFileDurably(keysFilePath(userDataDir), `${JSON.stringify(body, null, 2)}\n`);
}

/** Where `keys.json` lives, for messages that name it. */
export function keysFilePath(userDataDir: string): string {
  return join(userDataDir, KEYS_FILE);
}
