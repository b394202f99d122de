import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
// Types only: the module itself is loaded inside openKeychain (see loadKeyring).
import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring';

/** The part of @napi-rs/keyring this file uses. */
export interface KeyringModule {
  AsyncEntry: typeof AsyncEntry;
}

/** Loads @napi-rs/keyring; injected by tests to act out a build for another CPU. */
export type KeyringLoader = () => Promise<KeyringModule>;

/** Which OS keychain holds remembered keys; 'none' means session memory only. */
export type KeychainBackend =
  'macOS Keychain' | 'Secret Service' | 'Windows Credential Manager' | 'none';

/** Where remembered keys live. Values cross as Buffers; no strings are made here. */
export interface KeychainStore {
  backend: KeychainBackend;
  available: boolean;
  /** Plain-language reason when not available; null when it is. */
  reason: string | null;
  get(name: string): Promise<Buffer | null>;
  set(name: string, value: Buffer): Promise<void>;
  delete(name: string): Promise<boolean>;
}

/** Options for `openKeychain`. */
export interface OpenKeychainOptions {
  /** Service name the entries are stored under (one entry per key name). */
  service?: string;
  platform?: NodeJS.Platform;
  /** The Secret Service can hang on an unlock prompt; give the start-up probe this long. */
  probeTimeoutMs?: number;
  /** Limit for later get/set/delete calls (a macOS prompt may wait on the user). */
  operationTimeoutMs?: number;
  /** How @napi-rs/keyring is loaded (default: a dynamic import). */
  loadKeyring?: KeyringLoader;
}

/** The app's keychain service name. */
export const DEFAULT_SERVICE = 'dev.stigmer.local';
/** Account name of the throw-away entry written by the start-up probe. */
export const PROBE_ACCOUNT = '__probe__';
const SESSION_ONLY = 'Keys are kept in memory for this session only.';

/**
 * The keyring's native binding is chosen by platform and CPU when the module loads. A build
 * packed for another CPU (a universal macOS app, arm64 Windows) has none that fits and throws
 * "Cannot find native binding"; imported statically, that would stop main.js from loading at
 * all. Loaded here, the app starts and keeps keys for the session instead.
 */
const importKeyring: KeyringLoader = () => import('@napi-rs/keyring');

/** The reason shown in the Keys view when the keyring module cannot be loaded. */
export function keyringLoadFailure(error: unknown, platform: string, arch: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.trim().split('\n')[0]?.trim() || 'unknown error';
  return (
    `The keychain module could not be loaded for this CPU (${platform}-${arch}: ${firstLine}); ` +
    'keys are kept for this session only. Install the Stigmer Local build made for this ' +
    'computer to remember keys.'
  );
}

/** The keychain @napi-rs/keyring uses on `platform`, or 'none' where it has none. */
export function backendFor(platform: NodeJS.Platform): KeychainBackend {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd')
    return 'Secret Service';
  return 'none';
}

/** A store that remembers nothing: the fallback when no keychain is usable. */
export class SessionOnlyStore implements KeychainStore {
  readonly backend = 'none' as const;
  readonly available = false;

  constructor(readonly reason: string) {}

  /** Nothing is ever remembered. */
  async get(_name: string): Promise<Buffer | null> {
    return null;
  }

  /** Refuses, so a caller cannot believe a key was remembered. */
  async set(name: string, _value: Buffer): Promise<void> {
    throw new Error(`${name} was not remembered. ${this.reason}`);
  }

  /** Nothing to delete. */
  async delete(_name: string): Promise<boolean> {
    return false;
  }
}

class TimeoutError extends Error {}

/** Runs `op` with an abort signal and rejects with TimeoutError after `ms`. */
async function withTimeout<T>(ms: number, op: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // The native call may not honour the abort while blocked on D-Bus, so race it as well.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new TimeoutError(`no answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([op(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The real OS keychain through @napi-rs/keyring. */
class OsKeychainStore implements KeychainStore {
  readonly available = true;
  readonly reason = null;

  constructor(
    private readonly keyring: KeyringModule,
    readonly backend: KeychainBackend,
    private readonly service: string,
    private readonly options: EntryOptions | undefined,
    private readonly timeoutMs: number,
  ) {}

  private entry(name: string): AsyncEntry {
    return new this.keyring.AsyncEntry(this.service, name, this.options);
  }

  /** Reads a remembered value; null when there is none. */
  async get(name: string): Promise<Buffer | null> {
    const bytes = await withTimeout(this.timeoutMs, (signal) => this.entry(name).getSecret(signal));
    if (!bytes) return null;
    const value = Buffer.from(bytes);
    bytes.fill(0);
    return value;
  }

  /** Stores the bytes as they are (setSecret), so no JS string of the value is made. */
  async set(name: string, value: Buffer): Promise<void> {
    await withTimeout(this.timeoutMs, (signal) => this.entry(name).setSecret(value, signal));
  }

  /** Removes the entry; false when there was none. */
  async delete(name: string): Promise<boolean> {
    return withTimeout(this.timeoutMs, (signal) => this.entry(name).deleteCredential(signal));
  }
}

// Runs in a worker: the entry constructor connects to D-Bus synchronously and can block for
// the bus's own 25 s reply timeout, which would freeze the main thread and any timer with it.
const PROBE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { AsyncEntry } = require(workerData.modulePath);
(async () => {
  try {
    const entry = new AsyncEntry(workerData.service, workerData.account, workerData.options);
    const probe = Buffer.from(workerData.probe, 'hex');
    await entry.setSecret(probe);
    const read = await entry.getSecret();
    await entry.deleteCredential();
    if (!read || !probe.equals(Buffer.from(read))) throw new Error('the probe entry read back differently');
    parentPort.postMessage(null);
  } catch (error) {
    parentPort.postMessage(String(error && error.message) + (error && error.cause ? ' ' + error.cause : ''));
  }
})();`;

/** Write, read and delete a random probe entry; resolves null on success, else the failure. */
async function probeInWorker(
  service: string,
  options: EntryOptions | undefined,
  timeoutMs: number,
): Promise<Error | null> {
  const modulePath = createRequire(import.meta.url).resolve('@napi-rs/keyring');
  const workerData = {
    modulePath,
    service,
    account: PROBE_ACCOUNT,
    options: options ?? null,
    probe: randomBytes(16).toString('hex'), // random, not a secret: it only proves a round trip
  };
  const worker = new Worker(PROBE_WORKER, { eval: true, workerData });
  try {
    return await withTimeout(
      timeoutMs,
      () =>
        new Promise<Error | null>((resolve) => {
          worker.once('message', (message: string | null) =>
            resolve(message === null ? null : new Error(message)),
          );
          worker.once('error', (error) => resolve(error));
        }),
    );
  } catch (error) {
    return error as Error;
  } finally {
    // A worker blocked inside D-Bus cannot be stopped at once; let it finish on its own. Until
    // the bus gives up (its reply timeout is 25 s) it also holds up process.exit().
    worker.unref();
    void worker.terminate();
  }
}

/** Turns a keyring failure into words a user can act on (the probe value is not a secret). */
function describeFailure(backend: KeychainBackend, error: unknown, timeoutMs: number): string {
  const text = error instanceof Error ? `${error.message} ${String(error.cause ?? '')}` : '';
  if (error instanceof TimeoutError) {
    return `${backend}: no answer within ${timeoutMs / 1000} s; it may be waiting for an unlock prompt`;
  }
  if (backend === 'Secret Service') {
    if (!process.env.DBUS_SESSION_BUS_ADDRESS) return 'Secret Service: no D-Bus session';
    if (/connect to socket|No such file|Connection refused|DBus error/i.test(text)) {
      return 'Secret Service: no D-Bus session';
    }
    if (/locked|dismissed|prompt/i.test(text)) return 'Secret Service: the keyring is locked';
    if (/AccessDenied|ServiceUnknown|not provided/i.test(text)) {
      return 'Secret Service: no keyring daemon answers on the session bus';
    }
  }
  return `${backend}: ${text.trim().split('\n')[0] || 'unknown error'}`;
}

/**
 * Finds out once, at start, whether the OS keychain is usable, by writing, reading and deleting
 * a random probe entry. Anything but a clean round trip (including a timeout) means 'none'.
 * On Linux the entry is pinned to the Secret Service: the library would otherwise fall back
 * to kernel keyutils, which forgets everything at logout, so "remember" would be a lie there.
 */
export async function openKeychain(options: OpenKeychainOptions = {}): Promise<KeychainStore> {
  const service = options.service ?? DEFAULT_SERVICE;
  const platform = options.platform ?? process.platform;
  const probeTimeoutMs = options.probeTimeoutMs ?? 3_000;
  const backend = backendFor(platform);
  if (backend === 'none') {
    return new SessionOnlyStore(`No keychain is supported on ${platform}. ${SESSION_ONLY}`);
  }
  let keyring: KeyringModule;
  try {
    keyring = await (options.loadKeyring ?? importKeyring)();
  } catch (error) {
    return new SessionOnlyStore(keyringLoadFailure(error, platform, process.arch));
  }
  const entryOptions: EntryOptions | undefined =
    backend === 'Secret Service' ? { linux: { store: 'secret-service' } } : undefined;
  const failure = await probeInWorker(service, entryOptions, probeTimeoutMs);
  if (failure) {
    const why = describeFailure(backend, failure, probeTimeoutMs);
    return new SessionOnlyStore(`No keychain is reachable (${why}). ${SESSION_ONLY}`);
  }
  const opTimeout = options.operationTimeoutMs ?? 30_000;
  return new OsKeychainStore(keyring, backend, service, entryOptions, opTimeout);
}
