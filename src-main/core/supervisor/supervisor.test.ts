import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../stack/types';
import { stackStateOf, type ServiceStatus } from '../../../src-shared/model/service';
import { heldAdvice, KeysHeldError, NeedsKeyError } from './needs-key';
import { Supervisor } from './supervisor';
import { readPidFile, pidFilePath } from './pid-file';
import {
  alive,
  cleanup,
  eventually,
  freePort,
  makeTempDir,
  serviceSpec,
  spawnFixture,
  tracker,
  type Tracker,
} from './test-fixtures/helpers';

let t: Tracker;
let runDir: string;
let sup: Supervisor;

beforeEach(async () => {
  t = tracker();
  runDir = await makeTempDir(t);
  sup = new Supervisor({ runDir });
  // Remember every pid the supervisor ever reports so afterEach can make sure it is gone.
  sup.onChange((statuses) => {
    for (const s of statuses) if (s.pid !== null && !t.pids.includes(s.pid)) t.pids.push(s.pid);
  });
});

afterEach(async () => {
  await sup.dispose();
  await cleanup(t);
});

const byName = (name: string): ServiceStatus => sup.statuses().find((s) => s.name === name)!;

/** A chain a <- b <- c whose fixtures log start and SIGTERM to one shared file. */
async function chain(log: string): Promise<ServiceSpec[]> {
  const pa = await freePort();
  return [
    serviceSpec('a', ['--log', log, '--listen', String(pa), '--delay', '100'], {
      readiness: { kind: 'tcp', host: '127.0.0.1', port: pa, timeoutMs: 10_000 },
      ports: [pa],
    }),
    serviceSpec('b', ['--log', log, '--print', 'b ready', '--delay', '100'], {
      dependsOn: ['a'],
      readiness: { kind: 'log', stream: 'stdout', pattern: 'b ready', timeoutMs: 10_000 },
    }),
    // A log line for readiness: a SIGTERM before node set up its handler would not be logged.
    serviceSpec('c', ['--log', log, '--print', 'c ready'], {
      dependsOn: ['b'],
      readiness: { kind: 'log', stream: 'stdout', pattern: 'c ready', timeoutMs: 10_000 },
    }),
  ];
}

describe('Supervisor', () => {
  it('starts in dependency order and stops in reverse', async () => {
    const log = join(runDir, 'events.log');
    // Declared in reverse so that only the dependencies can produce the right order.
    sup.setSpec({ services: (await chain(log)).reverse() });
    const readyOrder: string[] = [];
    sup.onChange((statuses) => {
      for (const s of statuses) {
        if (s.state === 'ready' && !readyOrder.includes(s.name)) readyOrder.push(s.name);
      }
    });
    await sup.startAll();
    expect(readyOrder).toEqual(['a', 'b', 'c']);
    expect(sup.statuses().map((s) => s.name)).toEqual(['c', 'b', 'a']);
    await sup.stopAll();
    const events = (await readFile(log, 'utf8')).trim().split('\n');
    expect(events).toEqual([
      'start:a',
      'start:b',
      'start:c',
      'sigterm:c',
      'sigterm:b',
      'sigterm:a',
    ]);
    expect(sup.statuses().every((s) => s.state === 'stopped' && s.pid === null)).toBe(true);
  });

  it('start(name) starts the dependencies first; stop(name) stops the dependents first', async () => {
    const log = join(runDir, 'events.log');
    sup.setSpec({ services: await chain(log) });
    await sup.start('c');
    expect(sup.statuses().map((s) => s.state)).toEqual(['ready', 'ready', 'ready']);
    await sup.stop('a');
    expect(sup.statuses().map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped']);
    const events = (await readFile(log, 'utf8')).trim().split('\n');
    expect(events.slice(3)).toEqual(['sigterm:c', 'sigterm:b', 'sigterm:a']);
  });

  it('restart(name) brings back the dependents that were up', async () => {
    sup.setSpec({ services: await chain(join(runDir, 'events.log')) });
    await sup.startAll();
    const before = byName('c').pid;
    await sup.restart('b');
    expect(sup.statuses().map((s) => s.state)).toEqual(['ready', 'ready', 'ready']);
    expect(byName('c').pid).not.toBe(before);
  });

  it('stopAll during startAll cancels the start and leaves nothing running', async () => {
    const log = join(runDir, 'events.log');
    const services = await chain(log);
    // a takes a while to open its port, so stopAll lands while startAll waits for it.
    services[0]!.args.push('--delay', '1000');
    sup.setSpec({ services });
    const starting = sup.startAll();
    await eventually(() => byName('a').pid !== null, 'a spawned');
    await sup.stopAll();
    await expect(starting).resolves.toBeUndefined();
    expect(sup.statuses().map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(byName('b').pid).toBeNull();
    expect(t.pids).toHaveLength(1);
    expect(alive(t.pids[0]!)).toBe(false);
  });

  it('writes a pid file per child and removes it after stop', async () => {
    sup.setSpec({ services: [serviceSpec('solo', [])] });
    await sup.startAll();
    const pid = byName('solo').pid!;
    const record = await readPidFile(pidFilePath(runDir, 'solo'));
    expect(record).toMatchObject({ pid, name: 'solo' });
    expect(record!.startTime.length).toBeGreaterThan(0);
    await sup.stopAll();
    expect(await readdir(runDir)).toEqual([]);
  });

  it('rejects startAll when a critical service fails and stops the others', async () => {
    const port = await freePort();
    sup.setSpec({
      services: [
        serviceSpec('temporal', []),
        serviceSpec('stigmer-server', [], {
          dependsOn: ['temporal'],
          readiness: { kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 400 },
        }),
        serviceSpec('agent-runner', [], { dependsOn: ['stigmer-server'], critical: false }),
      ],
    });
    await expect(sup.startAll()).rejects.toThrow(
      `stigmer-server did not open port ${port} within 0.4 s`,
    );
    expect(byName('temporal').state).toBe('stopped');
    expect(byName('stigmer-server').state).toBe('failed');
    expect(byName('agent-runner').state).toBe('stopped');
    expect(byName('agent-runner').lastError).toContain(
      'agent-runner was not started because stigmer-server failed',
    );
    expect(t.pids.every((p) => !alive(p))).toBe(true);
  });

  it('keeps the stack up when a non-critical service fails; its dependents are skipped', async () => {
    sup.setSpec({
      services: [
        serviceSpec('server', []),
        serviceSpec('runner', ['--eprint', 'Fatal error in runner', '--exit', '1'], {
          dependsOn: ['server'],
          critical: false,
          readiness: { kind: 'log', stream: 'stdout', pattern: 'ready', timeoutMs: 10_000 },
        }),
        serviceSpec('addon', [], { dependsOn: ['runner'], critical: false }),
      ],
    });
    await sup.startAll();
    expect(byName('server').state).toBe('ready');
    expect(byName('runner').state).toBe('crashed');
    expect(byName('runner').lastError).toContain('Fatal error in runner');
    expect(byName('addon').state).toBe('stopped');
    expect(byName('addon').lastError).toContain('addon was not started because runner failed');
  });

  it('skips a not-installed dependency and still starts its dependents', async () => {
    sup.setSpec({
      services: [
        serviceSpec('temporal', [], { command: null, searched: ['/opt/temporal/bin'] }),
        serviceSpec('server', [], { dependsOn: ['temporal'] }),
      ],
    });
    await sup.startAll();
    expect(byName('temporal')).toMatchObject({
      state: 'not-installed',
      searched: ['/opt/temporal/bin'],
    });
    expect(byName('server').state).toBe('ready');
  });

  it('fails without spawning when a port is taken, naming the holder', async () => {
    const port = await freePort();
    const { child } = await spawnFixture(t, 'port-holder.mjs', [String(port)]);
    const comm = (await readFile(`/proc/${child.pid}/comm`, 'utf8').catch(() => 'node')).trim();
    const spawned: number[] = [];
    sup.onChange((s) => s[0]!.pid !== null && spawned.push(s[0]!.pid));
    sup.setSpec({ services: [serviceSpec('stigmer-server', [], { ports: [port] })] });
    await expect(sup.startAll()).rejects.toThrow(
      `Port ${port} is already in use by pid ${child.pid} (${comm}). Stop that process or change the port in the stack file.`,
    );
    expect(byName('stigmer-server').state).toBe('failed');
    expect(spawned).toEqual([]);
  });

  it('rejects unknown dependencies and cycles with a clear error', async () => {
    sup.setSpec({ services: [serviceSpec('a', [], { dependsOn: ['nope'] })] });
    await expect(sup.startAll()).rejects.toThrow('depends on "nope"');
    sup.setSpec({
      services: [
        serviceSpec('a', [], { dependsOn: ['b'] }),
        serviceSpec('b', [], { dependsOn: ['a'] }),
      ],
    });
    await expect(sup.startAll()).rejects.toThrow('a -> b -> a');
    expect(sup.statuses().every((s) => s.pid === null)).toBe(true);
  });

  it('stops services removed from the stack; a running one keeps its old definition', async () => {
    sup.setSpec({ services: [serviceSpec('keep', []), serviceSpec('gone', [])] });
    await sup.startAll();
    const gonePid = byName('gone').pid!;
    const keepPid = byName('keep').pid!;
    sup.setSpec({ services: [serviceSpec('keep', [], { displayName: 'Kept v2' })] });
    expect(sup.statuses().map((s) => s.name)).toEqual(['keep']);
    expect(byName('keep').displayName).toBe('keep');
    await eventually(() => !alive(gonePid), 'removed service stopped');
    expect(alive(keepPid)).toBe(true);
    await sup.restart('keep');
    expect(byName('keep').displayName).toBe('Kept v2');
  });

  it('passes the env from prepareEnv and nothing of the app env', async () => {
    const seen: string[] = [];
    const sup2 = new Supervisor({
      runDir,
      prepareEnv: async (spec) => ({ ...spec.env, INJECTED: 'yes' }),
    });
    sup2.onOutput((_name, _stream, chunk) => seen.push(chunk.toString()));
    const spec = serviceSpec('env', [], {
      args: ['-e', 'console.log(JSON.stringify(Object.keys(process.env).sort()))'],
      env: { OWN: '1' },
    });
    sup2.setSpec({ services: [spec] });
    sup2.onChange((s) => s[0]!.pid !== null && t.pids.push(s[0]!.pid));
    await sup2.startAll();
    await eventually(() => seen.join('').includes(']'), 'env printed');
    await sup2.dispose();
    // Plus the spawn's tag, by which stop finds helpers that left the group (descendants.ts).
    expect(JSON.parse(seen.join('').trim())).toEqual(['INJECTED', 'OWN', 'STIGMER_LOCAL_TAG']);
  });

  describe('needs key', () => {
    /** The key's value, and why the journal cannot be written (null: it can). */
    const key: { value: string | null; journal: string | null } = { value: null, journal: null };
    let keySup: Supervisor;

    beforeEach(() => {
      key.value = null;
      key.journal = null;
      // Only services that list ANTHROPIC_API_KEY in `keys` need it.
      keySup = new Supervisor({
        runDir,
        prepareEnv: (spec) => {
          if (!spec.keys.some((k) => k.name === 'ANTHROPIC_API_KEY'))
            return Promise.resolve({ ...spec.env });
          if (key.value === null) return Promise.reject(new NeedsKeyError(['ANTHROPIC_API_KEY']));
          if (key.journal !== null) return Promise.reject(new KeysHeldError(key.journal));
          return Promise.resolve({ ...spec.env, ANTHROPIC_API_KEY: key.value });
        },
      });
      keySup.onChange((statuses) => {
        for (const s of statuses) {
          if (s.pid !== null && !t.pids.includes(s.pid)) t.pids.push(s.pid);
        }
      });
    });

    afterEach(() => keySup.dispose());

    const st = (name: string): ServiceStatus => keySup.statuses().find((s) => s.name === name)!;
    const needsKeyMessage =
      'runner needs ANTHROPIC_API_KEY. Enter it in the Keys view (or the dialog) to start it.';

    /** server <- runner (needs the key, prints it) <- addon. */
    function stack(log: string, runnerCritical: boolean): ServiceSpec[] {
      return [
        serviceSpec('server', ['--log', log]),
        serviceSpec('runner', [], {
          dependsOn: ['server'],
          critical: runnerCritical,
          keys: [{ name: 'ANTHROPIC_API_KEY', required: true }],
          args: [
            '-e',
            "console.log('KEY=' + process.env.ANTHROPIC_API_KEY); setInterval(() => {}, 1e5)",
          ],
          readiness: { kind: 'log', stream: 'stdout', pattern: '^KEY=', timeoutMs: 10_000 },
        }),
        serviceSpec('addon', ['--log', log], { dependsOn: ['runner'], critical: false }),
      ];
    }

    it('a non-critical service without its key does not fail startAll; dependents wait', async () => {
      const log = join(runDir, 'events.log');
      keySup.setSpec({ services: stack(log, false) });
      await keySup.startAll();
      expect(st('server').state).toBe('ready');
      expect(st('runner')).toMatchObject({
        state: 'needs-key',
        neededKeys: ['ANTHROPIC_API_KEY'],
        lastError: needsKeyMessage,
        pid: null,
        restarts: 0,
      });
      expect(st('addon')).toMatchObject({ state: 'stopped', pid: null, neededKeys: [] });
      expect(st('addon').lastError).toContain('addon was not started because runner needs a key');
      expect(stackStateOf(keySup.statuses())).toBe('degraded');
      await eventually(
        async () => (await readFile(log, 'utf8').catch(() => '')).includes('start:server'),
        'log',
      );
      expect(await readFile(log, 'utf8')).not.toContain('start:addon');

      key.value = 'sk-entered';
      await keySup.startWaiting();
      expect(keySup.statuses().map((s) => s.state)).toEqual(['ready', 'ready', 'ready']);
      expect(st('runner')).toMatchObject({ neededKeys: [], lastError: null, restarts: 0 });
      expect(st('runner').lastLines).toContain('KEY=sk-entered');
      expect(stackStateOf(keySup.statuses())).toBe('ready');
      await eventually(
        async () => (await readFile(log, 'utf8').catch(() => '')).includes('start:addon'),
        'addon',
      );
    });

    it('startWaiting leaves services alone that are not waiting', async () => {
      keySup.setSpec({ services: stack(join(runDir, 'events.log'), false) });
      await keySup.startAll();
      await keySup.stop('server'); // stops runner (waiting) and addon too
      expect(keySup.statuses().map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped']);
      key.value = 'sk-entered';
      await keySup.startWaiting();
      expect(keySup.statuses().map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped']);
    });

    it('startWaiting without the key puts the service back in needs-key', async () => {
      keySup.setSpec({ services: stack(join(runDir, 'events.log'), false) });
      await keySup.startAll();
      await keySup.startWaiting();
      expect(keySup.statuses().map((s) => s.state)).toEqual(['ready', 'needs-key', 'stopped']);
      expect(st('addon').lastError).toContain('because runner needs a key');
    });

    it('start(name) resolves when the service needs a key', async () => {
      keySup.setSpec({ services: stack(join(runDir, 'events.log'), false) });
      await expect(keySup.start('addon')).resolves.toBeUndefined();
      expect(keySup.statuses().map((s) => s.state)).toEqual(['ready', 'needs-key', 'stopped']);
      expect(st('addon').lastError).toContain('because runner needs a key');
      key.value = 'sk-entered';
      await keySup.startWaiting();
      expect(keySup.statuses().map((s) => s.state)).toEqual(['ready', 'ready', 'ready']);
    });

    it('a critical service without its key rejects startAll but keeps waiting', async () => {
      const log = join(runDir, 'events.log');
      keySup.setSpec({ services: stack(log, true) });
      await expect(keySup.startAll()).rejects.toThrow(needsKeyMessage);
      expect(st('runner')).toMatchObject({ state: 'needs-key', neededKeys: ['ANTHROPIC_API_KEY'] });
      expect(st('server').state).toBe('stopped'); // stopped like after a critical failure
      expect(st('addon').state).toBe('stopped');
      expect(st('addon').lastError).toContain('because runner needs a key');
      expect(stackStateOf(keySup.statuses())).toBe('degraded');
      expect(t.pids.every((p) => !alive(p))).toBe(true);

      key.value = 'sk-entered';
      await keySup.startWaiting(); // brings back what the failed startAll stopped or skipped
      expect(keySup.statuses().map((s) => s.state)).toEqual(['ready', 'ready', 'ready']);
      expect(st('runner').lastLines).toContain('KEY=sk-entered');
    });

    it('stop(name) on a service waiting for its key makes it stopped', async () => {
      keySup.setSpec({ services: stack(join(runDir, 'events.log'), false) });
      await keySup.startAll();
      await keySup.stop('runner');
      expect(keySup.statuses().map((s) => s.state)).toEqual(['ready', 'stopped', 'stopped']);
      expect(st('runner').neededKeys).toEqual([]);
    });

    it('keys held back (journal unwritable): held like needs-key, only startWaiting brings it back', async () => {
      key.value = 'sk-entered';
      key.journal = 'ENOSPC: the disk is full';
      keySup.setSpec({ services: stack(join(runDir, 'events.log'), true) });
      const message = heldAdvice('ENOSPC: the disk is full');
      await expect(keySup.startAll()).rejects.toThrow(message);
      expect(st('runner')).toMatchObject({
        state: 'held',
        heldReason: message,
        lastError: message,
        pid: null,
        restarts: 0,
        nextRestartAt: null,
        neededKeys: [],
      });
      expect(message).toMatch(
        /^Audit journal cannot be written: ENOSPC: the disk is full\. Keys are held back until it can\./,
      );
      expect(st('server').state).toBe('stopped');
      expect(st('addon').lastError).toContain('because runner is held back');
      expect(stackStateOf(keySup.statuses())).toBe('degraded');
      expect(t.pids.every((p) => !alive(p))).toBe(true);

      // A key entered (startWaiting of needs-key only) does not touch it.
      await keySup.startWaiting(['needs-key']);
      expect(st('runner').state).toBe('held');
      // Retry while still failing: rejects with the advice (critical), held again, nothing spawned.
      await expect(keySup.startWaiting(['held'])).rejects.toThrow(message);
      expect(st('runner').state).toBe('held');
      expect(t.pids.every((p) => !alive(p))).toBe(true);

      key.journal = null;
      await keySup.startWaiting(['held']);
      expect(keySup.statuses().map((s) => s.state)).toEqual(['ready', 'ready', 'ready']);
      expect(st('runner')).toMatchObject({ heldReason: null, lastError: null });
      expect(st('runner').lastLines).toContain('KEY=sk-entered');
    });

    it('a crashed child whose restart is held waits, without backoff; Stop makes it stopped', async () => {
      const counter = join(runDir, 'runs');
      key.value = 'sk-first';
      keySup.setSpec({
        services: [
          serviceSpec('runner', ['--counter', counter, '--crashes', '1', '--print', 'up'], {
            keys: [{ name: 'ANTHROPIC_API_KEY', required: true }],
            critical: false,
            readiness: { kind: 'log', stream: 'stdout', pattern: '^up$', timeoutMs: 10_000 },
            restart: { ...serviceSpec('x', []).restart, policy: 'on-failure', crashLoopCount: 5 },
          }),
        ],
      });
      await keySup.startAll();
      key.journal = 'EPERM: operation not permitted';
      await eventually(() => st('runner').state === 'held', 'held after the crash');
      expect(st('runner')).toMatchObject({ pid: null, nextRestartAt: null });
      expect(Number(await readFile(counter, 'utf8'))).toBe(1);
      await keySup.stop('runner');
      expect(st('runner')).toMatchObject({ state: 'stopped', heldReason: null });
      expect(Number(await readFile(counter, 'utf8'))).toBe(1);
    });

    it('a restart after a crash goes to needs-key when the key was removed', async () => {
      const counter = join(runDir, 'runs');
      key.value = 'sk-first';
      keySup.setSpec({
        services: [
          serviceSpec('runner', ['--counter', counter, '--crashes', '1', '--print', 'up'], {
            keys: [{ name: 'ANTHROPIC_API_KEY', required: true }],
            critical: false,
            readiness: { kind: 'log', stream: 'stdout', pattern: '^up$', timeoutMs: 10_000 },
            restart: { ...serviceSpec('x', []).restart, policy: 'on-failure', crashLoopCount: 5 },
          }),
        ],
      });
      await keySup.startAll();
      const first = st('runner').pid!;
      key.value = null;
      await eventually(() => st('runner').state === 'needs-key', 'needs-key after the crash');
      expect(st('runner')).toMatchObject({ pid: null, restarts: 0, lastError: needsKeyMessage });
      expect(alive(first)).toBe(false);
      expect(Number(await readFile(counter, 'utf8'))).toBe(1);

      key.value = 'sk-second';
      await keySup.startWaiting();
      expect(st('runner').state).toBe('ready');
      expect(Number(await readFile(counter, 'utf8'))).toBe(2);
    });
  });
});
