import { z } from 'zod';
import type { AuditEntry, VerifyResult } from '../model/audit';
import { AUDIT_TYPES } from '../model/audit';
import type { LogLine } from '../model/log';
import type {
  KeyDialogRequest,
  RotationResult,
  SecretSetResult,
  SecretsSnapshot,
} from '../model/secret';
import type { StackSnapshot, UsageReport } from '../model/service';
import type { DiagnosticsSaved, ImportResult, ImportScan } from '../model/key-import';
import { PROGRAMS, settingsSchema, type Settings } from '../model/settings';
import type { UpdateStatus } from '../model/updates';

/** Phantom type carrier: the result type of an invoke channel (no runtime cost). */
function returns<T>(): T {
  return undefined as T;
}

const serviceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a service name is lower-case letters, digits and dashes');
const none = z.undefined();
const byName = z.object({ name: serviceName }).strict();
const keyName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,127}$/, 'a key name is upper-case letters, digits and underscores');
/** A key value crosses into main once, here; it is never part of any reply or event. */
const keyValue = z
  .string()
  .min(1, 'the key is empty')
  .max(4096, 'the key is longer than 4096 characters');
/** A key typed in the dialog, for a first entry or a rotation. */
const keyEntry = z
  .object({ name: keyName, value: keyValue, remember: z.boolean(), requireTouchId: z.boolean() })
  .strict();

/** Metadata about the running app, for the window title and About. */
export interface AppInfo {
  version: string;
  platform: string;
  host: 'electron' | 'browser';
  userDataDir: string;
  logDir: string;
  /** The host can start the app at login (the Electron shell; not the browser host). */
  canLaunchAtLogin: boolean;
  /** The host has a native file dialog to locate programs (the Electron shell). */
  canPickFiles: boolean;
  /** macOS: the login item needs the user (approval in System Settings), else absent or null. */
  loginItemNote?: string | null;
}

/** What "Install command line tool" did: the link it made (if any) and advice for the rest. */
export interface CliInstallResult {
  installed: boolean;
  /** The command's path (the link made, or the CLI script to run). */
  path: string;
  /** What the user should know or do next, in a sentence or two. */
  advice: string;
}

/**
 * Every invoke channel (renderer -> main, with a reply). `args` validates the single payload
 * at runtime; `result` only carries the reply type.
 */
export const invokeChannels = {
  'app:info': { args: none, result: returns<AppInfo>() },
  'stack:snapshot': { args: none, result: returns<StackSnapshot>() },
  'stack:start': { args: none, result: returns<StackSnapshot>() },
  'stack:stop': { args: none, result: returns<StackSnapshot>() },
  'stack:reload': { args: none, result: returns<StackSnapshot>() },
  'services:start': { args: byName, result: returns<StackSnapshot>() },
  'services:stop': { args: byName, result: returns<StackSnapshot>() },
  'services:restart': { args: byName, result: returns<StackSnapshot>() },
  /** The buffered tail of one service's log, or of all services merged by time (service null). */
  'logs:tail': {
    args: z
      // 10,000 = the in-memory ring; a tail is also cut to LOG_TAIL_MAX_BYTES by the core.
      .object({ service: serviceName.nullable(), limit: z.number().int().min(1).max(10_000) })
      .strict(),
    result: returns<{ lines: LogLine[] }>(),
  },
  /** Opens the log folder in the system file manager where the host can; always says where it is. */
  'logs:open-folder': { args: none, result: returns<{ path: string; opened: boolean }>() },
  /** Journal entries, newest first, filtered; `limit` caps the answer. */
  'audit:list': {
    args: z
      .object({
        types: z.array(z.enum(AUDIT_TYPES)).optional(),
        service: serviceName.optional(),
        key: keyName.optional(),
        from: z.iso.datetime().optional(),
        to: z.iso.datetime().optional(),
        limit: z.number().int().min(1).max(100_000),
      })
      .strict(),
    result: returns<{ entries: AuditEntry[]; total: number }>(),
  },
  /** Re-computes the hash chain over every journal file. */
  'audit:verify': { args: none, result: returns<VerifyResult>() },
  /**
   * The audit journal could not be written and keys are held back: try it again (records the
   * gap), then start the held services. Fails with the reason while it still cannot be written.
   */
  'audit:retry': { args: none, result: returns<StackSnapshot>() },
  'settings:get': { args: none, result: returns<Settings>() },
  'settings:set': {
    args: settingsSchema.partial(),
    result: returns<Settings>(),
  },
  /** Desktop app: a native file dialog to locate a program; the chosen path, or null if cancelled. */
  'settings:pick-program': {
    args: z.object({ service: z.enum(PROGRAMS) }).strict(),
    result: returns<string | null>(),
  },
  'secrets:snapshot': { args: none, result: returns<SecretsSnapshot>() },
  'secrets:set': {
    args: keyEntry,
    result: returns<SecretSetResult>(),
  },
  'secrets:rotate': {
    args: keyEntry,
    result: returns<RotationResult>(),
  },
  'secrets:delete': {
    args: z.object({ name: keyName }).strict(),
    result: returns<SecretsSnapshot>(),
  },
  'secrets:lock': { args: none, result: returns<SecretsSnapshot>() },
  /** Finds provider keys in ~/.stigmer/config.yaml and a .env the user names (never their values). */
  'secrets:import-scan': {
    args: z
      .object({
        envFile: z.string().min(1).max(4096).optional(),
        /** Desktop app: choose the .env with the native file dialog instead. */
        pick: z.boolean().optional(),
        auto: z.boolean().optional(),
      })
      .strict(),
    result: returns<ImportScan>(),
  },
  /** Moves the chosen keys of the last scan into the keychain; removes their lines only if asked. */
  'secrets:import': {
    args: z
      .object({ ids: z.array(z.string().max(200)).min(1).max(50), removeFromFile: z.boolean() })
      .strict(),
    result: returns<ImportResult>(),
  },
  /** Writes a redacted support bundle into <userData>/diagnostics/ and says where. */
  'diagnostics:save': { args: none, result: returns<DiagnosticsSaved>() },
  /** Shows the diagnostics folder in the file manager where the host can; always says where it is. */
  'diagnostics:open-folder': { args: none, result: returns<{ path: string; opened: boolean }>() },
  /** The pending key-dialog request (see 'ui:key-dialog-requested'), cleared by taking it. */
  'ui:take-key-dialog-request': { args: none, result: returns<KeyDialogRequest | null>() },
  /** Quit the app as the tray's Quit does (stack stopped first); answered before it quits. */
  'app:quit': { args: none, result: returns<{ quitting: true }>() },
  /** Show the window: the desktop app shows and focuses it; the browser host gives its URL. */
  'app:show': { args: none, result: returns<{ shown: boolean; url: string | null }>() },
  /** Put the `stigmer-local` command on PATH where the host can; always says what to do. */
  'cli:install': { args: none, result: returns<CliInstallResult>() },
  /** The app's own update: found, downloading, ready; 'unavailable' with the reason elsewhere. */
  'updates:status': { args: none, result: returns<UpdateStatus>() },
  /** Check the feed now (Settings → Updates); a newer version then downloads in the background. */
  'updates:check': { args: none, result: returns<UpdateStatus>() },
  /** "Restart now": stop the stack, install, relaunch; refused with the reason while busy. */
  'updates:install': { args: none, result: returns<UpdateStatus>() },
} as const;

/** Every event channel (main -> renderer), with the payload type. */
export const eventChannels = {
  'services:changed': returns<StackSnapshot>(),
  'secrets:changed': returns<SecretsSnapshot>(),
  /** CPU and memory of every running service, every few seconds while any runs. */
  'services:usage': returns<UsageReport>(),
  /** New log lines, batched (at most ~60 per second); `skipped` counts lines the live view missed. */
  'logs:lines': returns<{ lines: LogLine[]; skipped: number }>(),
  /** An entry was appended to the audit journal (on disk already). */
  'audit:appended': returns<AuditEntry>(),
  /**
   * Something outside the window (the tray) asked for the key dialog; the window takes the
   * request with 'ui:take-key-dialog-request', also at start, so one sent before it loaded is kept.
   */
  'ui:key-dialog-requested': returns<Record<string, never>>(),
  /** The update status changed (checking, progress, ready, deferred, error). */
  'updates:changed': returns<UpdateStatus>(),
} as const;

export type InvokeChannel = keyof typeof invokeChannels;
export type EventChannel = keyof typeof eventChannels;
export type InvokeArgs<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['args']>;
export type InvokeResult<C extends InvokeChannel> = (typeof invokeChannels)[C]['result'];
export type EventPayload<C extends EventChannel> = (typeof eventChannels)[C];

/** Channel names as plain arrays (the preload and the bridge expose exactly these). */
export const INVOKE_CHANNELS = Object.keys(invokeChannels) as InvokeChannel[];
export const EVENT_CHANNELS = Object.keys(eventChannels) as EventChannel[];

/** True when `name` is a declared invoke channel. */
export function isInvokeChannel(name: unknown): name is InvokeChannel {
  return typeof name === 'string' && Object.hasOwn(invokeChannels, name);
}

/** True when `name` is a declared event channel. */
export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && Object.hasOwn(eventChannels, name);
}
