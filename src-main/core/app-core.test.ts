import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { canaryKey, filesContaining } from '../../e2e/support/canary';
import { freePort } from '../../e2e/support/free-port';
import { INVOKE_CHANNELS } from '../../src-shared/ipc/contract';
import type { StackSnapshot, UsageReport } from '../../src-shared/model/service';
import { createRouter } from '../ipc/router';
import { createAppCore } from './app-core';
import type { AppCore } from './app-core-types';

const fixtures = resolve(import.meta.dirname, '../../e2e/fixtures');
let dir: string;
let core: AppCore | undefined;

afterEach(async () => {
  await core?.shutdown();
  core = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function makeCore(
  stackYaml: string | null,
  extra: Partial<Parameters<typeof createAppCore>[0]> = {},
): Promise<AppCore> {
  dir = await mkdtemp(join(tmpdir(), 'stigmer-core-'));
  if (stackYaml !== null) await writeFile(join(dir, 'stack.yaml'), stackYaml);
  core = await createAppCore({
    userDataDir: dir,
    logDir: join(dir, 'logs'),
    env: { PATH: '/nonexistent' },
    host: 'browser',
    version: 'test',
    nodeExecutable: process.execPath,
    nodeEnv: {},
    homeDir: dir,
    ...extra,
  });
  return core;
}

const serverOnly = (port: number) => `services:
  temporal: { enabled: false }
  agent-runner: { enabled: false }
  stigmer-server:
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(join(fixtures, 'stand-in-server.mjs'))}]
    env: { GRPC_PORT: "${port}" }
    ports: [${port}]
    readiness: { tcp: ${port}, timeout: 10s }
`;

describe('app core', () => {
  it('has a handler for every channel of the contract and nothing else', async () => {
    const c = await makeCore(null);
    expect(Object.keys(c.handlers).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('shows default services that are not installed with every place searched', async () => {
    const c = await makeCore(null);
    const snap = c.snapshot();
    expect(snap.services.map((s) => s.name)).toEqual([
      'temporal',
      'stigmer-server',
      'agent-runner',
    ]);
    for (const s of snap.services) {
      expect(s.state).toBe('not-installed');
      expect(s.searched.length).toBeGreaterThan(0);
    }
    expect(snap.services[1]!.searched.join('\n')).toMatch(/STIGMER_SERVER_DIR/);
  });

  it('starts and stops through the router, pushing every change as an event', async () => {
    const c = await makeCore(serverOnly(await freePort()));
    const events: StackSnapshot[] = [];
    c.onEvent((channel, payload) => {
      if (channel === 'services:changed') events.push(payload as StackSnapshot);
    });
    const router = createRouter(c.handlers, { isTrustedSender: () => true });
    const started = await router.handle('stack:start', undefined, { url: 't' });
    expect(started).toMatchObject({ ok: true, value: { state: 'ready' } });
    expect(events.map((e) => e.services[0]!.state)).toContain('starting');
    const stopped = await router.handle('stack:stop', undefined, { url: 't' });
    expect(stopped).toMatchObject({ ok: true, value: { state: 'stopped' } });
    // The child's output was captured to its own log file, stamped and tagged.
    await c.shutdown();
    const log = await readFile(join(dir, 'logs', 'stigmer-server.log'), 'utf8');
    expect(log).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z stdout .* \[server\] listening on 127\.0\.0\.1:/m,
    );
    expect(log).toContain('[server] SIGTERM, closing');
    // Stigmer Local's own lines tell the story around the child's: started before its first
    // line, ready, stopped after its last.
    const story = log
      .split('\n')
      .filter((l) => / system .*── |\[server\] (listening|SIGTERM)/.test(l))
      .map((l) => l.slice(40).replace(/pid \d+/, 'pid N'));
    expect(story).toHaveLength(6);
    const at = (line: string | RegExp): number =>
      story.findIndex((l) => (typeof line === 'string' ? l === line : line.test(l)));
    // Causal order only: the port probe may see the port open (10 ms polls) before the child's
    // "listening" chunk has been read from its pipe, so ready and listening may come either way.
    expect(at('── starting ──')).toBe(0);
    expect(at(/^\[server\] listening/)).toBeGreaterThan(0);
    expect(at('── ready (pid N) ──')).toBeGreaterThan(0);
    // Every signal the app sends is a line of its own, with why; then the child's answer.
    expect(story.slice(3)).toEqual([
      '── SIGTERM to pid N (group): user stop ──',
      '[server] SIGTERM, closing',
      '── stopped ──',
    ]);
    // Versions only go up, so the window can drop a stale event.
    const versions = events.map((e) => e.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });

  it('journals who asked: per-service actions and Lock keys from the tray or the window', async () => {
    const c = await makeCore(serverOnly(await freePort()));
    const router = createRouter(c.handlers, { isTrustedSender: () => true });
    const sender = { url: 't' };
    await c.startService('stigmer-server', 'tray');
    expect(
      await router.handle('services:restart', { name: 'stigmer-server' }, sender),
    ).toMatchObject({ ok: true });
    await c.stopService('stigmer-server', 'tray');
    const canary = canaryKey('actor');
    const key = {
      name: 'ANTHROPIC_API_KEY',
      value: canary,
      remember: false,
      requireTouchId: false,
    };
    expect(await router.handle('secrets:set', key, sender)).toMatchObject({ ok: true });
    const locked = await c.lockKeys('tray');
    expect(locked.keys.find((k) => k.name === 'ANTHROPIC_API_KEY')?.set).toBe(false);
    expect(await router.handle('secrets:set', key, sender)).toMatchObject({ ok: true });
    expect(await router.handle('secrets:lock', undefined, sender)).toMatchObject({ ok: true });

    const list = (await router.handle('audit:list', { limit: 1000 }, sender)) as {
      value: { entries: { type: string; actor: string; service: string | null }[] };
    };
    const acts = list.value.entries
      .reverse()
      .filter((e) => e.type.endsWith('-requested') || e.type === 'key.locked')
      .map((e) => `${e.type} ${e.actor} ${e.service ?? '-'}`);
    expect(acts).toEqual([
      'service.start-requested tray stigmer-server',
      'service.restart-requested window stigmer-server',
      'service.stop-requested tray stigmer-server',
      'key.locked tray -',
      'key.locked window -',
    ]);
    // Entering a key after a tray action is the window's again.
    const entered = list.value.entries.filter((e) => e.type === 'key.entered');
    expect(entered.map((e) => e.actor)).toEqual(['window', 'window']);
    await c.shutdown();
    expect(await filesContaining(dir, canary)).toEqual([]);
  });

  it("keeps a key-dialog request (the tray's Rotate…) until one window takes it", async () => {
    const c = await makeCore(null);
    const router = createRouter(c.handlers, { isTrustedSender: () => true });
    const take = () => router.handle('ui:take-key-dialog-request', undefined, { url: 't' });
    const pokes: unknown[] = [];
    c.onEvent((channel, payload) => {
      if (channel === 'ui:key-dialog-requested') pokes.push(payload);
    });
    expect(await take()).toEqual({ ok: true, value: null });
    c.requestKeyDialog('OPENAI_API_KEY');
    expect(pokes).toEqual([{}]); // the event carries nothing; the request is taken
    expect(await take()).toEqual({ ok: true, value: { name: 'OPENAI_API_KEY', mode: 'enter' } });
    expect(await take()).toEqual({ ok: true, value: null });
    const key = { name: 'OPENAI_API_KEY', value: `sk-proj-${'a'.repeat(30)}`, remember: false };
    await router.handle('secrets:set', { ...key, requireTouchId: false }, { url: 't' });
    c.requestKeyDialog('OPENAI_API_KEY');
    expect(await take()).toEqual({ ok: true, value: { name: 'OPENAI_API_KEY', mode: 'rotate' } });
    expect(() => c.requestKeyDialog('NOT_A_KEY')).toThrow(/not a key Stigmer Local manages/);
    expect(await take()).toEqual({ ok: true, value: null });
  });

  it('finds a program located in Settings at once, and says where it looked when it is wrong', async () => {
    const c = await makeCore(null);
    const router = createRouter(c.handlers, { isTrustedSender: () => true });
    const server = () => c.snapshot().services.find((s) => s.name === 'stigmer-server')!;
    const setBinaries = (binaries: Record<string, string>) =>
      router.handle('settings:set', { binaries }, { url: 't' });
    expect(server().state).toBe('not-installed');
    expect(server().searched[0]).toBe('Settings: no path set');

    const script = join(fixtures, 'stand-in-server.mjs');
    expect(await setBinaries({ 'stigmer-server': script })).toMatchObject({ ok: true });
    expect(server().state).toBe('stopped');
    expect(c.snapshot().services.find((s) => s.name === 'agent-runner')!.state).toBe(
      'not-installed',
    );

    const missing = join(dir, 'nowhere', 'stigmer-server');
    expect(await setBinaries({ 'stigmer-server': missing })).toMatchObject({ ok: true });
    expect(server().state).toBe('not-installed');
    expect(server().searched[0]).toMatch(new RegExp(`^Settings: ${missing} \\(`));

    // A relative path is refused with advice and changes nothing.
    expect(await setBinaries({ 'stigmer-server': 'server.mjs' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/full path/) },
    });
    expect(server().searched[0]).toMatch(/^Settings: .*nowhere/);
  });

  it('pushes CPU and memory of running services, then an empty report once they stop', async () => {
    const c = await makeCore(serverOnly(await freePort()), { usageIntervalMs: 50 });
    c.setLooking('window:1', true); // figures are sampled only while a window looks
    const reports: UsageReport[] = [];
    c.onEvent((channel, payload) => {
      if (channel === 'services:usage') reports.push(payload as UsageReport);
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(reports).toEqual([]); // nothing runs: nothing to say
    await c.startStack('window');
    await expect
      .poll(() => reports.filter((r) => r.services['stigmer-server']?.cpuPercent != null).length)
      .toBeGreaterThan(0);
    const server = reports.find((r) => r.services['stigmer-server']?.cpuPercent != null)!.services[
      'stigmer-server'
    ]!;
    expect(server.processes).toBeGreaterThanOrEqual(1);
    expect(server.rssBytes).toBeGreaterThan(5e6); // a Node process
    expect(server.cpuPercent).toBeGreaterThanOrEqual(0);
    await c.stopStack('window');
    await expect.poll(() => reports.at(-1)?.services).toEqual({});
    const count = reports.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(reports.length).toBe(count); // one empty report, then quiet
  });

  it('Start at login: refused by the browser host, applied before it is saved by the desktop shell', async () => {
    const browser = await makeCore(null);
    const sender = { url: 't' };
    let router = createRouter(browser.handlers, { isTrustedSender: () => true });
    expect(await router.handle('app:info', undefined, sender)).toMatchObject({
      value: { canLaunchAtLogin: false },
    });
    expect(await router.handle('settings:set', { launchAtLogin: true }, sender)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/needs the desktop app/) },
    });
    await browser.shutdown();
    await rm(dir, { recursive: true, force: true });

    const calls: boolean[] = [];
    let fail = false;
    const desktop = await makeCore(null, {
      setLaunchAtLogin: async (on) => {
        if (fail) throw new Error('EACCES: permission denied');
        calls.push(on);
      },
    });
    router = createRouter(desktop.handlers, { isTrustedSender: () => true });
    expect(await router.handle('app:info', undefined, sender)).toMatchObject({
      value: { canLaunchAtLogin: true },
    });
    expect(calls).toEqual([]); // nothing touched at start
    expect(await router.handle('settings:set', { launchAtLogin: true }, sender)).toMatchObject({
      ok: true,
      value: { launchAtLogin: true },
    });
    expect(calls).toEqual([true]);
    fail = true;
    expect(await router.handle('settings:set', { launchAtLogin: false }, sender)).toMatchObject({
      ok: false,
      error: { message: 'Could not remove the login item: EACCES: permission denied.' },
    });
    // Not saved: the setting still says what the OS has.
    expect(await router.handle('settings:get', undefined, sender)).toMatchObject({
      value: { launchAtLogin: true },
    });
  });

  it('Locate… asks the desktop shell for a path; the browser host says to type it', async () => {
    const sender = { url: 't' };
    const browser = await makeCore(null);
    let router = createRouter(browser.handlers, { isTrustedSender: () => true });
    expect(await router.handle('app:info', undefined, sender)).toMatchObject({
      value: { canPickFiles: false },
    });
    expect(
      await router.handle('settings:pick-program', { service: 'temporal' }, sender),
    ).toMatchObject({ ok: false, error: { message: expect.stringMatching(/type its full path/) } });
    await browser.shutdown();
    await rm(dir, { recursive: true, force: true });

    const asked: string[] = [];
    const desktop = await makeCore(null, {
      pickProgram: async (service) => {
        asked.push(service);
        return service === 'temporal' ? '/opt/temporal/temporal' : null;
      },
    });
    router = createRouter(desktop.handlers, { isTrustedSender: () => true });
    expect(await router.handle('settings:pick-program', { service: 'temporal' }, sender)).toEqual({
      ok: true,
      value: '/opt/temporal/temporal',
    });
    expect(
      await router.handle('settings:pick-program', { service: 'agent-runner' }, sender),
    ).toEqual({ ok: true, value: null });
    // Only the default services can be located; nothing is asked for anything else.
    expect(
      await router.handle('settings:pick-program', { service: 'postgres' }, sender),
    ).toMatchObject({ ok: false });
    expect(asked).toEqual(['temporal', 'agent-runner']);
    // Picking does not save: the setting changes only through settings:set.
    expect((await router.handle('settings:get', undefined, sender)) as unknown).toMatchObject({
      value: { binaries: {} },
    });
  });

  it('keeps the last good stack when the file turns bad, and says which field is wrong', async () => {
    const c = await makeCore(serverOnly(41234));
    const file = join(dir, 'stack.yaml');
    await writeFile(file, 'services:\n  stigmer-server:\n    readiness: { port: 7234 }\n');
    const router = createRouter(c.handlers, { isTrustedSender: () => true });
    const result = await router.handle('stack:reload', undefined, { url: 't' });
    expect(result.ok).toBe(true);
    const snap = (result as { value: StackSnapshot }).value;
    expect(snap.stackFile.error).toMatch(/services\.stigmer-server\.readiness/);
    expect(snap.services.map((s) => s.name)).toEqual(['stigmer-server']);
    expect(snap.services[0]!.ports).toEqual([41234]);
  });
});
