import type { MenuItemConstructorOptions } from 'electron';
import type { SecretsSnapshot } from '../../src-shared/model/secret';
import {
  waitingHint,
  waitingLabel,
  type ServiceState,
  type ServiceStatus,
  type StackSnapshot,
} from '../../src-shared/model/service';
import { formatUptime } from '../../src-shared/model/format';
import { needLabel } from '../../src-shared/model/runtime';

// Pure tray logic: the icon, tooltip and menu are functions of the snapshot, so the tray can
// be rebuilt from scratch on every change and every label is unit-tested without Electron.

/** The five tray icon variants (one per stack state; a needed key shows as degraded). */
export type TrayIconName = 'stopped' | 'starting' | 'ready' | 'degraded' | 'failed';

/** The key that drives the tray's key items (the one agent-runner needs). */
export const ANTHROPIC_KEY = 'ANTHROPIC_API_KEY';

/** What the tray knows about keys (derived from the SecretsSnapshot by trayKeysFor). */
export interface TrayKeys {
  /** Required keys a service is waiting for, in the order to ask for them. */
  needed: string[];
  /** ANTHROPIC_API_KEY has a value (in memory or remembered in the keychain): it can be rotated. */
  anthropicSet: boolean;
  /** Some key is held in memory now: "Lock keys" has something to forget. */
  anyLoaded: boolean;
}

/** Options shared by the icon and the menu. */
export interface TrayOptions {
  /** Shorthand for `keys.needed = ['ANTHROPIC_API_KEY']` (agent-runner cannot start). */
  keyNeeded?: boolean;
  /** The key state; without it the key items show disabled. */
  keys?: TrayKeys;
  platform?: NodeJS.Platform;
  /** Epoch ms used for uptimes (injected so tests are deterministic). */
  now?: number;
}

/** Callbacks the menu items invoke; the shell binds them to the core and the window. */
export interface TrayActions {
  startAll(): void;
  stopAll(): void;
  start(name: string): void;
  stop(name: string): void;
  restart(name: string): void;
  openDashboard(): void;
  /** Lead the user to the dialog for a needed key. */
  enterKey(name: string): void;
  /** Lead the user to the dialog for a new value of a key that is set. */
  rotateKey(name: string): void;
  /** Forget every key held in memory now. */
  lockKeys(): void;
  /** Try the audit journal again and start the services whose keys were held back. */
  retryAudit(): void;
  quit(): void;
}

/** The tray's view of the SecretsSnapshot (never values: only what is needed, set, loaded). */
export function trayKeysFor(secrets: SecretsSnapshot): TrayKeys {
  return {
    needed: [...secrets.needed],
    anthropicSet: secrets.keys.some((k) => k.name === ANTHROPIC_KEY && k.set),
    anyLoaded: secrets.keys.some((k) => k.loaded),
  };
}

/** The first key a service is waiting for, or null. */
export function neededKeyOf(opts: TrayOptions): string | null {
  const first = opts.keys?.needed[0];
  if (first !== undefined) return first;
  return opts.keyNeeded ? ANTHROPIC_KEY : null;
}

/** "Anthropic key" for ANTHROPIC_API_KEY; other keys by their variable name. */
export function keyLabelOf(name: string): string {
  return name === ANTHROPIC_KEY ? 'Anthropic key' : name;
}

/** The services whose keys are held back because the audit journal cannot be written. */
export function heldServicesOf(snapshot: StackSnapshot): ServiceStatus[] {
  return snapshot.services.filter((s) => s.state === 'held');
}

/**
 * Icon for the snapshot: amber when a key is needed, even if nothing has failed yet; red while
 * keys are held back (the journal cannot be written: the user has to act, like a failure).
 */
export function trayIconFor(snapshot: StackSnapshot, opts: TrayOptions = {}): TrayIconName {
  if (snapshot.state === 'failed' || heldServicesOf(snapshot).length > 0) return 'failed';
  if (neededKeyOf(opts) !== null) return 'degraded';
  return snapshot.state;
}

/**
 * File name of an icon in resources/. macOS gets template images (black + alpha, the name
 * must end in "Template") so the menu bar tints them for light/dark; the status then shows as
 * the dot's shape. Windows gets an .ico holding 16-32 px, so the tray picks the size for the
 * display's scaling. Linux a coloured PNG; `@2x` siblings are picked up by nativeImage.
 */
export function trayIconFile(name: TrayIconName, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return `tray-${name}-Template.png`;
  if (platform === 'win32') return `tray-${name}.ico`;
  return `tray-${name}.png`;
}

export { formatUptime };

const STATE_WORD: Record<ServiceState, string> = {
  stopped: 'stopped',
  starting: 'starting',
  waiting: 'waiting',
  ready: 'ready',
  stopping: 'stopping',
  backoff: 'restarting',
  crashed: 'crashed',
  failed: 'failed',
  'not-installed': 'not installed',
  'needs-key': 'needs key',
  held: 'keys held back',
};

// Menus cannot be coloured, so the glyph carries the state for people scanning the list.
const STATE_GLYPH: Record<ServiceState, string> = {
  stopped: '○',
  starting: '◐',
  waiting: '◐',
  ready: '●',
  stopping: '◐',
  backoff: '◐',
  crashed: '✕',
  failed: '✕',
  'not-installed': '○',
  'needs-key': '◐',
  held: '✕',
};

const ACTIVE: readonly ServiceState[] = [
  'starting',
  'waiting',
  'ready',
  'stopping',
  'backoff',
  'crashed',
  'needs-key',
  'held',
];
const STARTABLE: readonly ServiceState[] = [
  'stopped',
  'failed',
  'crashed',
  'backoff',
  'needs-key',
  'held',
];
// Stop and Restart also cancel a start, a wait for an address or a pending restart at once.
const STOPPABLE: readonly ServiceState[] = [
  'starting',
  'waiting',
  'ready',
  'backoff',
  'crashed',
  'needs-key',
  'held',
];
const RESTARTABLE: readonly ServiceState[] = [
  'starting',
  'waiting',
  'ready',
  'backoff',
  'crashed',
  'failed',
];

/** Longest reason line in a submenu: menus do not wrap. */
const MAX_REASON = 90;

function shorten(text: string, max = MAX_REASON): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/**
 * The disabled lines at the top of a service's submenu that say why it is down or waiting:
 * the explained reason and its fix, else the last error; the hint while it waits.
 */
export function reasonLinesFor(service: ServiceStatus): string[] {
  if (service.state === 'waiting' && service.waitingFor) {
    return [waitingLabel(service.waitingFor), shorten(waitingHint(service.waitingFor))];
  }
  // Installed, but no Node that fits: the advice says which Node was found and what to set.
  if (service.state === 'not-installed' && service.runtimeNeeded && service.lastError) {
    return [shorten(service.lastError)];
  }
  if (!['failed', 'crashed', 'backoff'].includes(service.state)) return [];
  if (service.failure) return [shorten(service.failure.reason), shorten(service.failure.fix)];
  return service.lastError ? [shorten(service.lastError)] : [];
}

/** Windows treats "&" and GTK treats "_" as mnemonic markers; double them so names show as-is. */
export function escapeMenuLabel(label: string, platform: NodeJS.Platform | undefined): string {
  if (platform === 'win32') return label.replace(/&/g, '&&');
  if (platform === 'linux') return label.replace(/_/g, '__');
  return label;
}

function installed(snapshot: StackSnapshot): ServiceStatus[] {
  return snapshot.services.filter((s) => s.state !== 'not-installed');
}

/** The disabled first line of the menu, also used as the tooltip. */
export function trayHeaderFor(snapshot: StackSnapshot, opts: TrayOptions = {}): string {
  const prefix = 'Stigmer Local — ';
  // Before a needed key: entering a key would not help while no release can be recorded.
  if (heldServicesOf(snapshot).length > 0) {
    return `${prefix}Audit journal cannot be written — keys held back`;
  }
  const needed = neededKeyOf(opts);
  if (needed !== null) return `${prefix}${keyLabelOf(needed)} needed`;
  const present = installed(snapshot);
  const ready = present.filter((s) => s.state === 'ready').length;
  switch (snapshot.state) {
    case 'ready':
      return `${prefix}Running (${ready} of ${present.length} ready)`;
    case 'starting':
      return `${prefix}Starting…`;
    case 'degraded': {
      const waiting = present.find((s) => s.state === 'waiting' && s.waitingFor);
      if (waiting?.waitingFor)
        return `${prefix}${waiting.name}: ${waitingLabel(waiting.waitingFor)}`;
      return `${prefix}Degraded (${ready} of ${present.length} ready)`;
    }
    case 'failed': {
      const culprit =
        present.find((s) => s.critical && (s.state === 'failed' || s.state === 'crashed')) ??
        present.find((s) => s.state === 'failed' || s.state === 'crashed');
      // Short: the header is also the tooltip, which Windows cuts at 127 characters.
      const why = culprit?.failure ? ` — ${shorten(culprit.failure.reason, 60)}` : '';
      return `${prefix}Failed: ${culprit?.name ?? 'unknown service'}${why}`;
    }
    case 'stopped':
      return `${prefix}Stopped`;
  }
}

/** "● stigmer-server   ready · :7234 · 2h 14m · 1 restart". */
export function serviceLabelFor(service: ServiceStatus, now: number): string {
  const parts = [
    service.state === 'waiting' && service.waitingFor
      ? waitingLabel(service.waitingFor).replace(/^W/, 'w')
      : service.state === 'not-installed' && service.runtimeNeeded
        ? needLabel(service.runtimeNeeded).replace(/^N/, 'n')
        : STATE_WORD[service.state],
  ];
  const running = service.state !== 'stopped' && service.state !== 'not-installed';
  const port = service.ports[0];
  if (running && port !== undefined) parts.push(`:${port}`);
  if (service.state === 'ready' && service.startedAt !== null) {
    parts.push(formatUptime(now - service.startedAt));
  }
  if (service.state === 'backoff' && service.nextRestartAt !== null) {
    parts.push(`next try in ${formatUptime(service.nextRestartAt - now)}`);
  }
  if (service.restarts > 0) {
    parts.push(`${service.restarts} ${service.restarts === 1 ? 'restart' : 'restarts'}`);
  }
  // The runner inside the app says so ("bundled 3.8.0"); a path is too long for a menu line.
  if (service.program?.startsWith('bundled ')) parts.push(service.program);
  return `${STATE_GLYPH[service.state]} ${service.name}   ${parts.join(' · ')}`;
}

function serviceItem(
  service: ServiceStatus,
  actions: TrayActions,
  opts: TrayOptions,
): MenuItemConstructorOptions {
  const { name, state } = service;
  const reasons = reasonLinesFor(service).map((label): MenuItemConstructorOptions => ({
    label: escapeMenuLabel(label, opts.platform),
    enabled: false,
  }));
  const submenu: MenuItemConstructorOptions[] = [
    ...reasons,
    ...(reasons.length > 0 ? [{ type: 'separator' as const }] : []),
    { label: 'Start', enabled: STARTABLE.includes(state), click: () => actions.start(name) },
    { label: 'Stop', enabled: STOPPABLE.includes(state), click: () => actions.stop(name) },
    { label: 'Restart', enabled: RESTARTABLE.includes(state), click: () => actions.restart(name) },
  ];
  if (state === 'not-installed') {
    submenu.push(
      { type: 'separator' },
      { label: 'Locate in dashboard…', click: () => actions.openDashboard() },
    );
  }
  return {
    id: `service:${name}`,
    label: escapeMenuLabel(serviceLabelFor(service, opts.now ?? Date.now()), opts.platform),
    submenu,
  };
}

/** The whole context menu for the snapshot, following docs ui.md (tray section). */
export function trayMenuFor(
  snapshot: StackSnapshot,
  actions: TrayActions,
  opts: TrayOptions = {},
): MenuItemConstructorOptions[] {
  const present = installed(snapshot);
  const anyActive = present.some((s) => ACTIVE.includes(s.state));
  const anyStoppable = present.some((s) => STOPPABLE.includes(s.state));
  const anyStartable = present.some((s) => STARTABLE.includes(s.state));
  const items: MenuItemConstructorOptions[] = [
    {
      id: 'header',
      label: escapeMenuLabel(trayHeaderFor(snapshot, opts), opts.platform),
      enabled: false,
    },
  ];
  const needed = neededKeyOf(opts);
  if (heldServicesOf(snapshot).length > 0) {
    items.push({
      id: 'retry-audit',
      label: 'Retry audit journal',
      click: () => actions.retryAudit(),
    });
  } else if (needed !== null) {
    // The key dialog lives in the dashboard; the tray only leads there.
    items.push({
      id: 'enter-key',
      label: escapeMenuLabel(`Enter ${keyLabelOf(needed)}…`, opts.platform),
      click: () => actions.enterKey(needed),
    });
  }
  items.push({ type: 'separator' });
  if (snapshot.services.length === 0) {
    items.push({ label: 'No services defined', enabled: false });
  }
  for (const service of snapshot.services) items.push(serviceItem(service, actions, opts));
  items.push({ type: 'separator' });
  // "Whichever applies": Start all while something can start (or nothing runs), Stop all
  // while something runs; a half-failed stack offers both.
  if (anyStartable || !anyActive) {
    items.push({
      id: 'start-all',
      label: 'Start all',
      enabled: anyStartable,
      click: () => actions.startAll(),
    });
  }
  if (anyActive) {
    items.push({
      id: 'stop-all',
      label: 'Stop all',
      enabled: anyStoppable,
      click: () => actions.stopAll(),
    });
  }
  items.push(
    {
      id: 'rotate-key',
      label: 'Rotate Anthropic key…',
      enabled: opts.keys?.anthropicSet ?? false,
      click: () => actions.rotateKey(ANTHROPIC_KEY),
    },
    {
      id: 'lock-keys',
      label: 'Lock keys',
      enabled: opts.keys?.anyLoaded ?? false,
      click: () => actions.lockKeys(),
    },
    { type: 'separator' },
    {
      id: 'open-dashboard',
      label: 'Open dashboard…',
      accelerator: 'CmdOrCtrl+D',
      click: () => actions.openDashboard(),
    },
    {
      id: 'quit',
      label: 'Quit Stigmer Local',
      accelerator: 'CmdOrCtrl+Q',
      click: () => actions.quit(),
    },
  );
  return items;
}
