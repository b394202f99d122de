import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { SecretInfo, SecretsSnapshot } from '../../src-shared/model/secret';
import type { ServiceState, ServiceStatus } from '../../src-shared/model/service';
import { serviceStatus, stackSnapshot } from '../../src-shared/model/test-snapshots';
import {
  escapeMenuLabel,
  formatUptime,
  trayIconFile,
  trayIconFor,
  trayHeaderFor,
  trayKeysFor,
  trayMenuFor,
  type TrayActions,
  type TrayKeys,
} from './tray-model';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const HOUR = 3_600_000;

function service(
  name: string,
  state: ServiceState,
  extra: Partial<ServiceStatus> = {},
): ServiceStatus {
  // A ready service has a pid and has been up for 2h 14m at NOW.
  const running = state === 'ready' ? { pid: 4711, startedAt: NOW - 2 * HOUR - 14 * 60_000 } : {};
  return serviceStatus(name, state, { ...running, ...extra });
}

const snapshot = stackSnapshot;

function fakeActions() {
  return {
    startAll: vi.fn<() => void>(),
    stopAll: vi.fn<() => void>(),
    start: vi.fn<(name: string) => void>(),
    stop: vi.fn<(name: string) => void>(),
    restart: vi.fn<(name: string) => void>(),
    openDashboard: vi.fn<() => void>(),
    enterKey: vi.fn<(name: string) => void>(),
    rotateKey: vi.fn<(name: string) => void>(),
    lockKeys: vi.fn<() => void>(),
    retryAudit: vi.fn<() => void>(),
    quit: vi.fn<() => void>(),
  } satisfies TrayActions;
}

const server = (state: ServiceState, extra: Partial<ServiceStatus> = {}) =>
  service('stigmer-server', state, { ports: [7234], ...extra });
const runner = (state: ServiceState, extra: Partial<ServiceStatus> = {}) =>
  service('agent-runner', state, extra);

function byId(items: MenuItemConstructorOptions[], id: string) {
  const item = items.find((i) => i.id === id);
  if (!item) throw new Error(`no item ${id}`);
  return item;
}
function submenuOf(items: MenuItemConstructorOptions[], name: string) {
  return byId(items, `service:${name}`).submenu as MenuItemConstructorOptions[];
}
function sub(items: MenuItemConstructorOptions[], name: string, label: string) {
  const item = submenuOf(items, name).find((i) => i.label === label);
  if (!item) throw new Error(`no ${label} in ${name}`);
  return item;
}
function click(item: MenuItemConstructorOptions) {
  (item.click as () => void)();
}
const labels = (items: MenuItemConstructorOptions[]) => items.map((i) => i.label ?? `-${i.type}`);

describe('formatUptime', () => {
  it.each([
    [-5, '0s'],
    [45_000, '45s'],
    [14 * 60_000 + 59_000, '14m'],
    [2 * HOUR + 14 * 60_000, '2h 14m'],
    [3 * 24 * HOUR + 4 * HOUR + 5 * 60_000, '3d 4h'],
  ])('%i ms -> %s', (ms, text) => {
    expect(formatUptime(ms)).toBe(text);
  });
});

describe('trayIconFor / trayIconFile', () => {
  it('follows the stack state', () => {
    expect(trayIconFor(snapshot([server('stopped'), runner('stopped')]))).toBe('stopped');
    expect(trayIconFor(snapshot([server('ready'), runner('starting')]))).toBe('starting');
    expect(trayIconFor(snapshot([server('ready'), runner('ready')]))).toBe('ready');
    expect(trayIconFor(snapshot([server('ready'), runner('stopped', { critical: false })]))).toBe(
      'degraded',
    );
    expect(trayIconFor(snapshot([server('failed'), runner('stopped')]))).toBe('failed');
  });

  it('shows amber when a key is needed, but failure wins', () => {
    expect(trayIconFor(snapshot([server('ready'), runner('ready')]), { keyNeeded: true })).toBe(
      'degraded',
    );
    expect(trayIconFor(snapshot([server('failed')]), { keyNeeded: true })).toBe('failed');
  });

  it('uses template images on macOS only', () => {
    expect(trayIconFile('ready', 'darwin')).toBe('tray-ready-Template.png');
    expect(trayIconFile('ready', 'darwin')).toMatch(/Template\.png$/);
    expect(trayIconFile('failed', 'linux')).toBe('tray-failed.png');
    expect(trayIconFile('starting', 'win32')).toBe('tray-starting.ico');
  });
});

describe('trayMenuFor', () => {
  it('running: header counts ready services, rows show port/uptime/restarts, Stop all only', () => {
    const actions = fakeActions();
    const items = trayMenuFor(
      snapshot([server('ready'), runner('ready', { restarts: 1 })]),
      actions,
      { now: NOW },
    );
    expect(byId(items, 'header')).toMatchObject({
      label: 'Stigmer Local — Running (2 of 2 ready)',
      enabled: false,
    });
    expect(byId(items, 'service:stigmer-server').label).toBe(
      '● stigmer-server   ready · :7234 · 2h 14m',
    );
    expect(byId(items, 'service:agent-runner').label).toBe(
      '● agent-runner   ready · 2h 14m · 1 restart',
    );
    expect(sub(items, 'stigmer-server', 'Start').enabled).toBe(false);
    expect(sub(items, 'stigmer-server', 'Stop').enabled).toBe(true);
    expect(sub(items, 'stigmer-server', 'Restart').enabled).toBe(true);
    expect(items.some((i) => i.id === 'start-all')).toBe(false);
    expect(byId(items, 'stop-all').enabled).toBe(true);
    expect(labels(items)).toEqual([
      'Stigmer Local — Running (2 of 2 ready)',
      '-separator',
      '● stigmer-server   ready · :7234 · 2h 14m',
      '● agent-runner   ready · 2h 14m · 1 restart',
      '-separator',
      'Stop all',
      'Rotate Anthropic key…',
      'Lock keys',
      '-separator',
      'Open dashboard…',
      'Quit Stigmer Local',
    ]);
  });

  it('clicks call the right action with the right service name', () => {
    const actions = fakeActions();
    const items = trayMenuFor(snapshot([server('ready'), runner('ready')]), actions, { now: NOW });
    click(sub(items, 'agent-runner', 'Restart'));
    expect(actions.restart).toHaveBeenCalledWith('agent-runner');
    click(sub(items, 'stigmer-server', 'Stop'));
    expect(actions.stop).toHaveBeenCalledWith('stigmer-server');
    click(byId(items, 'stop-all'));
    expect(actions.stopAll).toHaveBeenCalledTimes(1);
    click(byId(items, 'open-dashboard'));
    expect(actions.openDashboard).toHaveBeenCalledTimes(1);
    click(byId(items, 'quit'));
    expect(actions.quit).toHaveBeenCalledTimes(1);
    expect(actions.start).not.toHaveBeenCalled();
    expect(byId(items, 'open-dashboard').accelerator).toBe('CmdOrCtrl+D');
    expect(byId(items, 'quit').accelerator).toBe('CmdOrCtrl+Q');
  });

  it('stopped: Start all only; Start enabled, Stop and Restart disabled', () => {
    const actions = fakeActions();
    const items = trayMenuFor(snapshot([server('stopped'), runner('stopped')]), actions, {
      now: NOW,
    });
    expect(byId(items, 'header').label).toBe('Stigmer Local — Stopped');
    expect(byId(items, 'service:stigmer-server').label).toBe('○ stigmer-server   stopped');
    expect(sub(items, 'stigmer-server', 'Start').enabled).toBe(true);
    expect(sub(items, 'stigmer-server', 'Stop').enabled).toBe(false);
    expect(sub(items, 'stigmer-server', 'Restart').enabled).toBe(false);
    expect(items.some((i) => i.id === 'stop-all')).toBe(false);
    click(byId(items, 'start-all'));
    expect(actions.startAll).toHaveBeenCalledTimes(1);
    click(sub(items, 'stigmer-server', 'Start'));
    expect(actions.start).toHaveBeenCalledWith('stigmer-server');
  });

  it('starting: header with ellipsis, Start disabled on the starting service, Stop all offered', () => {
    const items = trayMenuFor(snapshot([server('ready'), runner('starting')]), fakeActions(), {
      now: NOW,
    });
    expect(byId(items, 'header').label).toBe('Stigmer Local — Starting…');
    expect(byId(items, 'service:agent-runner').label).toBe('◐ agent-runner   starting');
    expect(sub(items, 'agent-runner', 'Start').enabled).toBe(false);
    expect(sub(items, 'agent-runner', 'Stop').enabled).toBe(true);
    expect(byId(items, 'stop-all').enabled).toBe(true);
  });

  it('degraded: counts ready services and offers both Start all and Stop all', () => {
    const items = trayMenuFor(
      snapshot([server('ready'), runner('failed', { critical: false })]),
      fakeActions(),
      { now: NOW },
    );
    expect(byId(items, 'header').label).toBe('Stigmer Local — Degraded (1 of 2 ready)');
    expect(byId(items, 'start-all').enabled).toBe(true);
    expect(byId(items, 'stop-all').enabled).toBe(true);
    expect(sub(items, 'agent-runner', 'Start').enabled).toBe(true);
    expect(sub(items, 'agent-runner', 'Stop').enabled).toBe(false);
  });

  it('failed: names the critical service that failed', () => {
    const items = trayMenuFor(
      snapshot([server('failed', { restarts: 5 }), runner('stopped')]),
      fakeActions(),
      { now: NOW },
    );
    expect(byId(items, 'header').label).toBe('Stigmer Local — Failed: stigmer-server');
    expect(byId(items, 'service:stigmer-server').label).toBe(
      '✕ stigmer-server   failed · :7234 · 5 restarts',
    );
    expect(sub(items, 'stigmer-server', 'Restart').enabled).toBe(true);
  });

  it('backoff: shows when the next try is', () => {
    const items = trayMenuFor(
      snapshot([server('backoff', { restarts: 2, nextRestartAt: NOW + 8_000 })]),
      fakeActions(),
      { now: NOW },
    );
    expect(byId(items, 'service:stigmer-server').label).toBe(
      '◐ stigmer-server   restarting · :7234 · next try in 8s · 2 restarts',
    );
  });

  it('not installed: says so, every action disabled, Locate leads to the dashboard', () => {
    const actions = fakeActions();
    const items = trayMenuFor(snapshot([server('ready'), runner('not-installed')]), actions, {
      now: NOW,
    });
    expect(byId(items, 'header').label).toBe('Stigmer Local — Running (1 of 1 ready)');
    expect(byId(items, 'service:agent-runner').label).toBe('○ agent-runner   not installed');
    for (const label of ['Start', 'Stop', 'Restart']) {
      expect(sub(items, 'agent-runner', label).enabled).toBe(false);
    }
    click(sub(items, 'agent-runner', 'Locate in dashboard…'));
    expect(actions.openDashboard).toHaveBeenCalledTimes(1);
  });

  it('keyNeeded shorthand: header says so and the first item asks for the Anthropic key', () => {
    const actions = fakeActions();
    const items = trayMenuFor(snapshot([server('ready'), runner('stopped')]), actions, {
      keyNeeded: true,
      now: NOW,
    });
    expect(items[0]?.label).toBe('Stigmer Local — Anthropic key needed');
    expect(items[1]?.label).toBe('Enter Anthropic key…');
    click(byId(items, 'enter-key'));
    expect(actions.enterKey).toHaveBeenCalledWith('ANTHROPIC_API_KEY');
  });

  it('no services: a disabled placeholder and a disabled Start all', () => {
    const items = trayMenuFor(snapshot([]), fakeActions(), { now: NOW });
    expect(labels(items)).toContain('No services defined');
    expect(byId(items, 'start-all').enabled).toBe(false);
  });
});

function keys(extra: Partial<TrayKeys> = {}): TrayKeys {
  return { needed: [], anthropicSet: false, anyLoaded: false, ...extra };
}

describe('trayMenuFor: audit journal cannot be written', () => {
  const held = () =>
    snapshot([
      server('ready'),
      runner('held', {
        heldReason:
          'Audit journal cannot be written: ENOSPC: the disk is full. Keys are held back until it can.',
      }),
    ]);

  it('red icon, a status header and Retry first, even while a key is also needed', () => {
    const actions = fakeActions();
    const opts = { keys: keys({ needed: ['OPENAI_API_KEY'] }), now: NOW };
    const items = trayMenuFor(held(), actions, opts);
    expect(trayIconFor(held(), opts)).toBe('failed');
    expect(trayHeaderFor(held(), opts)).toBe(
      'Stigmer Local — Audit journal cannot be written — keys held back',
    );
    expect(labels(items).slice(0, 3)).toEqual([
      'Stigmer Local — Audit journal cannot be written — keys held back',
      'Retry audit journal',
      '-separator',
    ]);
    expect(items.some((i) => i.id === 'enter-key')).toBe(false);
    click(byId(items, 'retry-audit'));
    expect(actions.retryAudit).toHaveBeenCalledTimes(1);
    expect(actions.enterKey).not.toHaveBeenCalled();
  });

  it('the held service reads "keys held back" and can be started (a retry) or stopped', () => {
    const items = trayMenuFor(held(), fakeActions(), { now: NOW });
    expect(byId(items, 'service:agent-runner').label).toBe('✕ agent-runner   keys held back');
    expect(sub(items, 'agent-runner', 'Start').enabled).toBe(true);
    expect(sub(items, 'agent-runner', 'Stop').enabled).toBe(true);
    expect(sub(items, 'agent-runner', 'Restart').enabled).toBe(false);
    expect(byId(items, 'stop-all').enabled).toBe(true);
  });

  it('no held service: no Retry item and the icon follows the stack', () => {
    const running = snapshot([server('ready'), runner('ready')]);
    const items = trayMenuFor(running, fakeActions(), { now: NOW });
    expect(items.some((i) => i.id === 'retry-audit')).toBe(false);
    expect(trayIconFor(running)).toBe('ready');
  });
});

describe('trayMenuFor: keys', () => {
  const running = () => snapshot([server('ready'), runner('ready')]);
  const waiting = () => snapshot([server('ready'), runner('needs-key')]);

  it('Anthropic key needed: amber icon, header, first item enters that key', () => {
    const actions = fakeActions();
    const opts = { keys: keys({ needed: ['ANTHROPIC_API_KEY'] }), now: NOW };
    const items = trayMenuFor(waiting(), actions, opts);
    expect(trayIconFor(waiting(), opts)).toBe('degraded');
    expect(trayHeaderFor(waiting(), opts)).toBe('Stigmer Local — Anthropic key needed');
    expect(labels(items).slice(0, 3)).toEqual([
      'Stigmer Local — Anthropic key needed',
      'Enter Anthropic key…',
      '-separator',
    ]);
    expect(byId(items, 'header').enabled).toBe(false);
    click(byId(items, 'enter-key'));
    expect(actions.enterKey).toHaveBeenCalledWith('ANTHROPIC_API_KEY');
    expect(actions.openDashboard).not.toHaveBeenCalled();
    // Nothing set, nothing loaded: rotate and lock are shown but disabled.
    expect(byId(items, 'rotate-key').enabled).toBe(false);
    expect(byId(items, 'lock-keys').enabled).toBe(false);
  });

  it('another key needed: named by its variable, and the first needed key is asked for', () => {
    const actions = fakeActions();
    const items = trayMenuFor(waiting(), actions, {
      keys: keys({ needed: ['OPENAI_API_KEY', 'CURSOR_API_KEY'], anthropicSet: true }),
      now: NOW,
    });
    expect(byId(items, 'header').label).toBe('Stigmer Local — OPENAI_API_KEY needed');
    expect(byId(items, 'enter-key').label).toBe('Enter OPENAI_API_KEY…');
    click(byId(items, 'enter-key'));
    expect(actions.enterKey).toHaveBeenCalledWith('OPENAI_API_KEY');
    expect(byId(items, 'rotate-key').enabled).toBe(true);
  });

  it('escapes the key name for GTK mnemonics on Linux', () => {
    const items = trayMenuFor(waiting(), fakeActions(), {
      keys: keys({ needed: ['OPENAI_API_KEY'] }),
      platform: 'linux',
      now: NOW,
    });
    expect(byId(items, 'enter-key').label).toBe('Enter OPENAI__API__KEY…');
  });

  it('nothing needed: no enter item, normal header; rotate and lock follow set/loaded', () => {
    const actions = fakeActions();
    const items = trayMenuFor(running(), actions, {
      keys: keys({ anthropicSet: true, anyLoaded: true }),
      now: NOW,
    });
    expect(items.some((i) => i.id === 'enter-key')).toBe(false);
    expect(byId(items, 'header').label).toBe('Stigmer Local — Running (2 of 2 ready)');
    expect(labels(items).slice(-6)).toEqual([
      'Stop all',
      'Rotate Anthropic key…',
      'Lock keys',
      '-separator',
      'Open dashboard…',
      'Quit Stigmer Local',
    ]);
    expect(byId(items, 'rotate-key').enabled).toBe(true);
    expect(byId(items, 'lock-keys').enabled).toBe(true);
    click(byId(items, 'rotate-key'));
    expect(actions.rotateKey).toHaveBeenCalledWith('ANTHROPIC_API_KEY');
    click(byId(items, 'lock-keys'));
    expect(actions.lockKeys).toHaveBeenCalledTimes(1);
    expect(actions.enterKey).not.toHaveBeenCalled();
  });

  it('remembered in the keychain but not loaded: rotate enabled, lock disabled', () => {
    const items = trayMenuFor(running(), fakeActions(), {
      keys: keys({ anthropicSet: true, anyLoaded: false }),
      now: NOW,
    });
    expect(byId(items, 'rotate-key').enabled).toBe(true);
    expect(byId(items, 'lock-keys').enabled).toBe(false);
  });

  it('only another key loaded: lock enabled, rotate (Anthropic) disabled', () => {
    const items = trayMenuFor(running(), fakeActions(), {
      keys: keys({ anthropicSet: false, anyLoaded: true }),
      now: NOW,
    });
    expect(byId(items, 'rotate-key').enabled).toBe(false);
    expect(byId(items, 'lock-keys').enabled).toBe(true);
  });

  it('sits after Start all when the stack is stopped', () => {
    const items = trayMenuFor(snapshot([server('stopped')]), fakeActions(), { now: NOW });
    const ids = items.map((i) => i.id);
    expect(ids.indexOf('rotate-key')).toBe(ids.indexOf('start-all') + 1);
    expect(ids.indexOf('lock-keys')).toBe(ids.indexOf('start-all') + 2);
  });
});

describe('trayKeysFor', () => {
  function info(name: string, extra: Partial<SecretInfo> = {}): SecretInfo {
    return {
      name,
      required: name === 'ANTHROPIC_API_KEY',
      set: false,
      loaded: false,
      source: null,
      fingerprint: null,
      updatedAt: null,
      remembered: false,
      requireTouchId: false,
      ...extra,
    };
  }
  function secrets(list: SecretInfo[], needed: string[] = []): SecretsSnapshot {
    return {
      keys: list,
      keychain: { backend: 'none', available: false, reason: null },
      touchIdAvailable: false,
      needed,
      consumers: {},
    };
  }

  it('nothing set: the needed list passes through, nothing to rotate or lock', () => {
    expect(
      trayKeysFor(
        secrets([info('ANTHROPIC_API_KEY'), info('OPENAI_API_KEY')], ['ANTHROPIC_API_KEY']),
      ),
    ).toEqual({ needed: ['ANTHROPIC_API_KEY'], anthropicSet: false, anyLoaded: false });
  });

  it('Anthropic remembered only: set but not loaded', () => {
    const result = trayKeysFor(
      secrets([info('ANTHROPIC_API_KEY', { set: true, remembered: true, source: 'keychain' })]),
    );
    expect(result).toEqual({ needed: [], anthropicSet: true, anyLoaded: false });
  });

  it('another key loaded: lockable, Anthropic still not rotatable', () => {
    const result = trayKeysFor(
      secrets([info('ANTHROPIC_API_KEY'), info('OPENAI_API_KEY', { set: true, loaded: true })]),
    );
    expect(result).toEqual({ needed: [], anthropicSet: false, anyLoaded: true });
  });
});

describe('escapeMenuLabel', () => {
  it('doubles mnemonic markers per platform', () => {
    expect(escapeMenuLabel('R&D_x', 'win32')).toBe('R&&D_x');
    expect(escapeMenuLabel('R&D_x', 'linux')).toBe('R&D__x');
    expect(escapeMenuLabel('R&D_x', 'darwin')).toBe('R&D_x');
  });
});

describe('a service that lacks its Node', () => {
  it('says which Node it needs, with the advice as a reason line, not "not installed"', () => {
    const advice =
      'agent-runner needs Node >= 22.13; found v20.20.2 at /usr/bin/node. Set Settings → Programs → Node to a Node 22.13 or newer.';
    const runner = service('agent-runner', 'not-installed', {
      runtimeNeeded: { kind: 'node', range: '>=22.13' },
      lastError: advice,
    });
    const menu = trayMenuFor(
      snapshot([service('stigmer-server', 'ready'), runner]),
      fakeActions(),
      {
        now: NOW,
      },
    );
    const item = menu.find((m) => m.id === 'service:agent-runner')!;
    expect(item.label).toContain('needs Node 22.13+');
    expect(item.label).not.toContain('not installed');
    const sub = item.submenu as MenuItemConstructorOptions[];
    expect(sub[0]).toMatchObject({
      label: expect.stringContaining('found v20.20.2'),
      enabled: false,
    });
    // A plain missing program keeps its old label and no reason line.
    const plain = trayMenuFor(snapshot([service('agent-runner', 'not-installed')]), fakeActions(), {
      now: NOW,
    }).find((m) => m.id === 'service:agent-runner')!;
    expect(plain.label).toContain('not installed');
    expect((plain.submenu as MenuItemConstructorOptions[])[0]!.label).toBe('Start');
  });
});
