import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FORCED_EXIT_CODE,
  SIGNAL_COALESCE_MS,
  NotificationKeeper,
  createReadyGate,
  createSignalController,
  decideSignal,
  startupFailureMessage,
  startupLogPath,
  writeStartupFailure,
  type LifePhase,
} from './lifecycle';

function harness(initial: LifePhase) {
  let phase = initial;
  const calls: string[] = [];
  const logs: string[] = [];
  // A fake clock: each signal comes 2 s after the previous one unless a test says otherwise.
  let clock = 0;
  const controller = createSignalController({
    now: () => (clock += 2_000),
    phase: () => phase,
    quit: () => {
      calls.push('quit');
      phase = 'quitting'; // what app.quit() -> before-quit -> quit flow does
    },
    force: (code) => calls.push(`force ${code}`),
    log: (m) => logs.push(m),
  });
  return {
    controller,
    calls,
    logs,
    /** The next signal arrives `ms` after the previous one. */
    nextAfter: (ms: number) => {
      clock += ms - 2_000;
    },
    setPhase: (p: LifePhase) => {
      phase = p;
    },
  };
}

describe('decideSignal', () => {
  it('maps count and phase to a decision', () => {
    expect(decideSignal(1, 'running')).toBe('quit');
    expect(decideSignal(1, 'starting')).toBe('quit-after-startup');
    expect(decideSignal(1, 'quitting')).toBe('ignore');
    expect(decideSignal(2, 'quitting')).toBe('ignore');
    expect(decideSignal(2, 'starting')).toBe('ignore');
    expect(decideSignal(3, 'quitting')).toBe('force');
  });
});

describe('signal controller', () => {
  it('once: starts the graceful quit (which stops the stack)', () => {
    const h = harness('running');
    h.controller.onSignal('SIGINT');
    expect(h.calls).toEqual(['quit']);
    expect(h.logs[0]).toMatch(/SIGINT: quitting; stopping the stack first/);
  });

  it('twice: the second signal during the quit is ignored with a message', () => {
    const h = harness('running');
    h.controller.onSignal('SIGINT');
    h.controller.onSignal('SIGINT');
    expect(h.calls).toEqual(['quit']);
    expect(h.logs[1]).toMatch(/already quitting.*once more to exit at once/);
  });

  it('thrice: the third signal forces the exit', () => {
    const h = harness('running');
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) h.controller.onSignal(s);
    expect(h.calls).toEqual(['quit', `force ${FORCED_EXIT_CODE}`]);
  });

  it('during startup: waits for startup to finish, then quits once', () => {
    const h = harness('starting');
    h.controller.onSignal('SIGTERM');
    expect(h.calls).toEqual([]);
    expect(h.logs[0]).toMatch(/once startup has finished/);
    h.setPhase('running');
    h.controller.startupSettled();
    expect(h.calls).toEqual(['quit']);
    h.controller.startupSettled();
    expect(h.calls).toEqual(['quit']);
  });

  it('during startup, twice then thrice: ignored, then forced before startup ends', () => {
    const h = harness('starting');
    h.controller.onSignal('SIGINT');
    h.controller.onSignal('SIGINT');
    expect(h.calls).toEqual([]);
    h.controller.onSignal('SIGINT');
    expect(h.calls).toEqual([`force ${FORCED_EXIT_CODE}`]);
  });

  it('one Ctrl+C delivered several times at once (terminal + wrappers) counts once', () => {
    const h = harness('running');
    h.controller.onSignal('SIGINT');
    h.nextAfter(5);
    h.controller.onSignal('SIGINT');
    h.nextAfter(5);
    h.controller.onSignal('SIGINT');
    expect(h.calls).toEqual(['quit']);
    expect(h.logs).toHaveLength(1);
    h.nextAfter(SIGNAL_COALESCE_MS + 1);
    h.controller.onSignal('SIGINT'); // a real second press
    h.nextAfter(SIGNAL_COALESCE_MS + 1);
    h.controller.onSignal('SIGINT'); // a real third press
    expect(h.calls).toEqual(['quit', `force ${FORCED_EXIT_CODE}`]);
  });

  it('startup settling without a signal quits nothing', () => {
    const h = harness('starting');
    h.controller.startupSettled();
    expect(h.calls).toEqual([]);
  });

  it('a signal while a tray Quit already runs counts as the second', () => {
    const h = harness('quitting');
    h.controller.onSignal('SIGHUP');
    expect(h.calls).toEqual([]);
    h.controller.onSignal('SIGHUP');
    expect(h.calls).toEqual([`force ${FORCED_EXIT_CODE}`]);
  });
});

describe('ready gate (second launch during startup)', () => {
  it('queues the action until the handlers exist, then runs it once', () => {
    const gate = createReadyGate();
    const shown: string[] = [];
    gate.whenReady(() => shown.push('first launch'));
    gate.whenReady(() => shown.push('second launch'));
    expect(shown).toEqual([]);
    expect(gate.isOpen).toBe(false);
    gate.open();
    expect(shown).toEqual(['second launch']);
    gate.whenReady(() => shown.push('third launch'));
    expect(shown).toEqual(['second launch', 'third launch']);
  });

  it('handlers registered before any window: the window opener sees them in place', () => {
    const gate = createReadyGate();
    const handlers = new Set<string>();
    const seen: number[] = [];
    gate.whenReady(() => seen.push(handlers.size)); // second-instance during startup
    handlers.add('app:info'); // main.ts: ipcMain.handle for each channel ...
    handlers.add('stack:snapshot');
    gate.open(); // ... then opens the gate
    expect(seen).toEqual([2]);
  });
});

describe('startup failure', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the error with its stack to logs/startup-error.log and names it in the dialog', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-startup-'));
    const error = new Error('settings.json is not valid JSON');
    const file = await writeStartupFailure(dir, error, new Date('2026-01-02T03:04:05Z'));
    expect(file).toBe(startupLogPath(dir));
    const text = await readFile(file!, 'utf8');
    expect(text).toContain('[2026-01-02T03:04:05.000Z] Startup failed: Error: settings.json');
    expect(text).toContain('lifecycle.test.ts'); // the stack
    const { title, body } = startupFailureMessage(error, file);
    expect(title).toBe('Stigmer Local could not start');
    expect(body).toContain('settings.json is not valid JSON');
    expect(body).toContain(file!);
  });

  it('an unwritable user data dir: null, and the dialog says to start from a terminal', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-startup-'));
    const blocker = path.join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    expect(await writeStartupFailure(blocker, 'boom')).toBeNull();
    expect(startupFailureMessage('boom', null).body).toMatch(/start the app from a terminal/);
  });
});

class FakeNote extends EventEmitter {}

describe('NotificationKeeper', () => {
  it('holds a notification until it is clicked or closed', () => {
    const keeper = new NotificationKeeper<FakeNote>();
    const a = keeper.keep(new FakeNote());
    const b = keeper.keep(new FakeNote());
    expect(keeper.size).toBe(2);
    a.emit('click');
    expect(keeper.size).toBe(1);
    b.emit('close');
    expect(keeper.size).toBe(0);
  });

  it('lets the oldest go past its limit (desktops that never report close)', () => {
    const keeper = new NotificationKeeper<FakeNote>(2);
    const first = keeper.keep(new FakeNote());
    keeper.keep(new FakeNote());
    keeper.keep(new FakeNote());
    expect(keeper.size).toBe(2);
    first.emit('close'); // already let go: no change
    expect(keeper.size).toBe(2);
  });
});
