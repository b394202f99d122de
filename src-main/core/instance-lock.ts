import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  currentProcessIdentity,
  isIdentityAlive,
  type ProcessIdentity,
} from './supervisor/pid-file';
import { sleep } from './supervisor/process-group';

/** Which host holds a data dir. */
export type InstanceHost = 'electron' | 'browser';

/** What the lock file holds: who runs the app on this data dir, and where to reach it. */
export interface InstanceLockInfo extends ProcessIdentity {
  host: InstanceHost;
  /** The browser host's URL once it listens (null before, and always for Electron). */
  url: string | null;
  /** Epoch ms when the lock was taken. */
  startedAt: number;
  /** Random per lock: no two locks have the same bytes, so a stale one is named by its hash. */
  id: string;
}

/** A lock this process holds. */
export interface InstanceLock {
  readonly path: string;
  readonly info: InstanceLockInfo;
  /** Record where the running instance can be reached (the browser host's URL). */
  setUrl(url: string): Promise<void>;
  /** Remove the lock if it is still ours (clean exit). */
  release(): Promise<void>;
  /** The same, synchronously, for a process 'exit' handler. */
  releaseSync(): void;
}

/** Refusal: another live process runs the app on this data dir. */
export class InstanceLockedError extends Error {
  constructor(
    readonly userDataDir: string,
    readonly holder: InstanceLockInfo,
  ) {
    super(lockedMessage(userDataDir, holder));
    this.name = 'InstanceLockedError';
  }
}

function lockedMessage(dir: string, holder: InstanceLockInfo): string {
  const running = `Stigmer Local is already running for ${dir} (pid ${holder.pid}, ${holder.host === 'browser' ? 'browser host' : 'desktop app'}).`;
  if (holder.url) return `${running} Open: ${holder.url}`;
  if (holder.host === 'electron') return `${running} Use its tray icon, or quit it first.`;
  return `${running} Use its window, or stop it (Ctrl+C in its terminal) first.`;
}

/** Where the lock of a data dir lives (beside the pid files). */
export function instanceLockPath(userDataDir: string): string {
  return join(userDataDir, 'run', 'instance.lock');
}

/** Parse lock bytes; null for anything torn, foreign or garbage. */
export function parseInstanceLock(raw: Buffer | string): InstanceLockInfo | null {
  let data: unknown;
  try {
    data = JSON.parse(raw.toString());
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Partial<InstanceLockInfo>;
  const ok =
    typeof d.pid === 'number' &&
    Number.isInteger(d.pid) &&
    d.pid > 0 &&
    typeof d.startTime === 'string' &&
    d.startTime.length > 0 &&
    (d.host === 'electron' || d.host === 'browser') &&
    (d.url === null || typeof d.url === 'string') &&
    typeof d.startedAt === 'number' &&
    typeof d.id === 'string';
  return ok ? (d as InstanceLockInfo) : null;
}

/** The lock of a data dir as it is on disk; null if there is none or it is unreadable. */
export async function readInstanceLock(userDataDir: string): Promise<InstanceLockInfo | null> {
  const raw = await readFile(instanceLockPath(userDataDir)).catch(() => null);
  return raw === null ? null : parseInstanceLock(raw);
}

/** Options for `acquireInstanceLock`. */
export interface AcquireOptions {
  userDataDir: string;
  host: InstanceHost;
  now?: () => number;
}

const ATTEMPTS = 100;
/** Take-over claims of one stale lock left by claimants that died; past this, give up. */
const CLAIM_ROUNDS = 16;

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

/**
 * Take the one-instance lock of a data dir, or throw InstanceLockedError naming the live
 * holder. A lock whose owner is dead, whose pid now belongs to another process (start time
 * differs) or whose bytes are garbage is taken over. Race-free without OS file locks:
 * - the lock appears only by `link` of a fully written file (exclusive, never torn);
 * - a stale lock is replaced by `rename` (so the path is never empty meanwhile), only by the
 *   one process holding the take-over claim named after the stale bytes' hash, and only after
 *   it re-read the same bytes while holding that claim.
 */
export async function acquireInstanceLock(options: AcquireOptions): Promise<InstanceLock> {
  const me = await currentProcessIdentity();
  if (me === null) {
    throw new Error(
      'Stigmer Local could not read its own process start time, which its instance lock needs. ' +
        'Check that /proc (Linux), ps (macOS) or Windows PowerShell (Windows) is available.',
    );
  }
  const path = instanceLockPath(options.userDataDir);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const info: InstanceLockInfo = {
    ...me,
    host: options.host,
    url: null,
    startedAt: (options.now ?? Date.now)(),
    id: randomBytes(12).toString('hex'),
  };
  const tmp = `${path}.${info.id}.tmp`;
  await writeFile(tmp, `${JSON.stringify(info)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        await link(tmp, path);
        return heldLock(path, info);
      } catch (error) {
        if (!isCode(error, 'EEXIST')) throw error;
      }
      const raw = await readFile(path).catch((error: unknown) => {
        if (isCode(error, 'ENOENT')) return null; // released just now: try again
        throw error;
      });
      if (raw === null) continue;
      const holder = parseInstanceLock(raw);
      if (holder && (await isIdentityAlive(holder))) {
        throw new InstanceLockedError(options.userDataDir, holder);
      }
      if (await takeOver(path, raw, tmp)) return heldLock(path, info);
      // Someone else is taking it over right now (or just did): look again shortly.
      await sleep(10 + Math.floor(Math.random() * 20));
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  throw new Error(
    `Stigmer Local could not take the instance lock ${path}: other starts kept changing it. ` +
      'Close other Stigmer Local windows and terminals, then start it again.',
  );
}

/** Replace the stale lock `staleRaw` with ours; false when someone else acts on it. */
async function takeOver(path: string, staleRaw: Buffer, tmp: string): Promise<boolean> {
  const key = createHash('sha256').update(staleRaw).digest('hex').slice(0, 16);
  const claimOf = (round: number): string => `${path}.takeover.${key}.${round}`;
  for (let round = 0; round < CLAIM_ROUNDS; round++) {
    const claim = claimOf(round);
    try {
      await link(tmp, claim);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
      const raw = await readFile(claim).catch(() => null);
      if (raw === null) return false; // its claimant finished: the lock has changed
      const claimant = parseInstanceLock(raw);
      if (claimant && (await isIdentityAlive(claimant))) return false;
      continue; // its claimant died mid-way: the next round is the live one
    }
    try {
      const now = await readFile(path).catch(() => null);
      if (now === null || !now.equals(staleRaw)) return false;
      // A second name for our bytes, renamed over the lock: the path always holds a lock.
      const fresh = `${tmp}.fresh`;
      await link(tmp, fresh);
      await rename(fresh, path);
      await removeClaims(path, key);
      return true;
    } finally {
      await unlink(claim).catch(() => undefined);
    }
  }
  throw new Error(
    `Stigmer Local could not take over the stale instance lock ${path}: ${CLAIM_ROUNDS} earlier ` +
      'attempts died midway. Make sure no Stigmer Local runs, delete that file, and start again.',
  );
}

/** Claims of a replaced lock's dead claimants are junk now (re-reads would not match). */
async function removeClaims(path: string, key: string): Promise<void> {
  const prefix = `${basename(path)}.takeover.${key}.`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((n) => n.startsWith(prefix))
      .map((n) => unlink(join(dirname(path), n)).catch(() => undefined)),
  );
}

function heldLock(path: string, initial: InstanceLockInfo): InstanceLock {
  let info = initial;
  const stillOurs = (raw: Buffer | null): boolean =>
    raw !== null && parseInstanceLock(raw)?.id === info.id;
  return {
    path,
    get info() {
      return info;
    },
    async setUrl(url) {
      info = { ...info, url };
      // Write aside, rename over: a reader sees the old or the new lock, never a torn one.
      const tmp = `${path}.${info.id}.url.tmp`;
      await writeFile(tmp, `${JSON.stringify(info)}\n`, { mode: 0o600 });
      await rename(tmp, path);
    },
    async release() {
      if (stillOurs(await readFile(path).catch(() => null))) {
        await unlink(path).catch(() => undefined);
      }
    },
    releaseSync() {
      let raw: Buffer;
      try {
        raw = readFileSync(path);
      } catch {
        return;
      }
      if (!stillOurs(raw)) return;
      try {
        unlinkSync(path);
      } catch {
        // Already gone.
      }
    },
  };
}
