import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../stack/types';
import type { ServiceState, ServiceStatus } from '../../../src-shared/model/service';
import { NeedsKeyError } from './needs-key';
import { ServiceProcess, type ServiceProcessOptions } from './service-process';
import {
  alive,
  cleanup,
  eventually,
  freePort,
  makeTempDir,
  serviceSpec,
  tracker,
  type Tracker,
} from './test-fixtures/helpers';

let t: Tracker;
let runDir: string;
let services: ServiceProcess[];

beforeEach(async () => {
  t = tracker();
  runDir = await makeTempDir(t);
  services = [];
});

afterEach(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await cleanup(t);
});

/** A ServiceProcess whose state history and pids are recorded. */
function make(
  spec: ServiceSpec,
  prepareEnv: ServiceProcessOptions['prepareEnv'] = (s) => Promise.resolve({ ...s.env }),
): {
  sp: ServiceProcess;
  states: ServiceState[];
  pids: number[];
  history: ServiceStatus[];
} {
  const states: ServiceState[] = [];
  const history: ServiceStatus[] = [];
  const pids: number[] = [];
  const sp: ServiceProcess = new ServiceProcess(spec, {
    runDir,
    now: Date.now,
    random: () => 0.5,
    prepareEnv,
    onChange: () => {
      const st = sp.status();
      history.push(st);
      if (states[states.length - 1] !== st.state) states.push(st.state);
      if (st.pid !== null && !pids.includes(st.pid)) {
        pids.push(st.pid);
        t.pids.push(st.pid);
      }
    },
    onOutput: () => undefined,
  });
  services.push(sp);
  return { sp, states, pids, history };
}

describe('readiness', () => {
  it('is ready when the tcp port accepts connections', async () => {
    const port = await freePort();
    const { sp } = make(
      serviceSpec('tcp', ['--listen', String(port), '--delay', '200'], {
        readiness: { kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 10_000 },
      }),
    );
    expect(await sp.start()).toBe('ready');
    expect(sp.status().readyAt).not.toBeNull();
  });

  it('is ready when the log line appears (stderr, CRLF)', async () => {
    const { sp } = make(
      serviceSpec('log', ['--eprint', 'Worker ready, polling for tasks...', '--delay', '100'], {
        readiness: {
          kind: 'log',
          stream: 'stderr',
          pattern: '^Worker ready, polling for tasks',
          timeoutMs: 10_000,
        },
      }),
    );
    expect(await sp.start()).toBe('ready');
    expect(sp.status().lastLines).toContain('Worker ready, polling for tasks...');
  });

  it('is ready when the http url answers 2xx', async () => {
    const port = await freePort();
    const { sp } = make(
      serviceSpec('http', ['--http', String(port), '--delay', '200'], {
        readiness: { kind: 'http', url: `http://127.0.0.1:${port}/`, timeoutMs: 10_000 },
      }),
    );
    expect(await sp.start()).toBe('ready');
  });

  it('fails with advice and kills the child when the port never opens', async () => {
    const port = await freePort();
    const { sp, pids } = make(
      serviceSpec('stigmer-server', ['--print', 'booting'], {
        readiness: { kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 500 },
      }),
    );
    expect(await sp.start()).toBe('failed');
    const status = sp.status();
    expect(status.state).toBe('failed');
    expect(status.lastError).toContain(`stigmer-server did not open port ${port} within 0.5 s`);
    expect(status.lastError).toContain('Last output: "booting"');
    expect(status.pid).toBeNull();
    expect(pids).toHaveLength(1);
    expect(alive(pids[0]!)).toBe(false);
  });
});

describe('stop strategies', () => {
  it('sends SIGTERM to the group, then SIGKILL after the grace time', async () => {
    const log = join(runDir, 'events.log');
    const { sp, pids } = make(serviceSpec('stubborn', ['--log', log, '--ignore-sigterm']));
    expect(await sp.start()).toBe('ready');
    await eventually(
      async () => (await readFile(log, 'utf8').catch(() => '')).includes('start:'),
      'child start',
    );
    await sp.stop();
    expect(sp.status().state).toBe('stopped');
    expect(alive(pids[0]!)).toBe(false);
    expect(await readFile(log, 'utf8')).toContain('sigterm:stubborn');
    expect(sp.lastExit).toMatchObject({ signal: 'SIGKILL', forced: true });
  });

  it('stops a stdin-shutdown child cleanly with exit code 0 and no SIGKILL', async () => {
    const log = join(runDir, 'events.log');
    // The ready line comes after the stdin reader is set up, like the runner's ready message.
    const { sp, pids } = make(
      serviceSpec(
        'runner',
        ['--log', log, '--ignore-sigterm', '--stdin-shutdown', '--print', 'hello'],
        {
          stop: { kind: 'stdin', message: '{"type":"shutdown"}', graceMs: 5_000 },
          readiness: { kind: 'log', stream: 'stdout', pattern: 'hello', timeoutMs: 10_000 },
        },
      ),
    );
    expect(await sp.start()).toBe('ready');
    await sp.stop();
    expect(sp.lastExit).toEqual({ code: 0, signal: null, forced: false });
    expect(alive(pids[0]!)).toBe(false);
    const events = await readFile(log, 'utf8');
    expect(events).toContain('stdin-shutdown:runner');
    expect(events).not.toContain('sigterm');
  });

  it('kills grandchildren with the group', async () => {
    const gcFile = join(runDir, 'grandchild.pid');
    const { sp, pids } = make(serviceSpec('parent', ['--grandchild', gcFile]));
    expect(await sp.start()).toBe('ready');
    let grandchild = 0;
    await eventually(async () => {
      grandchild = Number(await readFile(gcFile, 'utf8').catch(() => '0'));
      return grandchild > 0;
    }, 'grandchild pid');
    t.pids.push(grandchild);
    expect(alive(grandchild)).toBe(true);
    await sp.stop();
    expect(alive(pids[0]!)).toBe(false);
    expect(alive(grandchild)).toBe(false);
  });

  it('cancels a start that waits for readiness', async () => {
    const port = await freePort();
    const { sp, pids } = make(
      serviceSpec('slow', [], {
        readiness: { kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 30_000 },
      }),
    );
    const starting = sp.start();
    await eventually(() => sp.status().pid !== null, 'spawn');
    await sp.stop();
    expect(await starting).toBe('stopped');
    expect(sp.status().state).toBe('stopped');
    expect(alive(pids[0]!)).toBe(false);
  });

  it('joins a second start to the first (one child only)', async () => {
    const { sp, pids } = make(
      serviceSpec('once', ['--print', 'up', '--delay', '100'], {
        readiness: { kind: 'log', stream: 'any', pattern: 'up', timeoutMs: 10_000 },
      }),
    );
    const [a, b] = await Promise.all([sp.start(), sp.start()]);
    expect([a, b]).toEqual(['ready', 'ready']);
    expect(pids).toHaveLength(1);
  });
});

describe('crashes and restarts', () => {
  it('restarts a crashed child after a backoff and counts restarts', async () => {
    const counter = join(runDir, 'runs');
    const { sp, states, history } = make(
      serviceSpec('flaky', ['--counter', counter, '--crashes', '2', '--print', 'up'], {
        readiness: { kind: 'log', stream: 'stdout', pattern: '^up$', timeoutMs: 10_000 },
        restart: { ...serviceSpec('x', []).restart, policy: 'on-failure', crashLoopCount: 5 },
      }),
    );
    expect(await sp.start()).toBe('ready');
    await eventually(() => {
      const s = sp.status();
      return s.restarts === 2 && s.state === 'ready';
    }, 'two restarts');
    expect(states).toContain('backoff');
    const backoffs = history.filter((h) => h.state === 'backoff');
    expect(backoffs.every((h) => h.nextRestartAt !== null)).toBe(true);
    // Restart counts seen go 0 -> 1 -> 2, never skipping.
    expect([...new Set(history.map((h) => h.restarts))]).toEqual([0, 1, 2]);
    expect(Number(await readFile(counter, 'utf8'))).toBe(3);
    expect(sp.status().lastError).toContain('exited with code 1');
  });

  it('gives up after a crash loop and quotes the last line', async () => {
    const fatal = 'Fatal error in runner: TransportError: 127.0.0.1:7233 Connection refused';
    const { sp, pids } = make(
      serviceSpec('agent-runner', ['--eprint', fatal, '--exit', '1'], {
        readiness: { kind: 'log', stream: 'stdout', pattern: 'never', timeoutMs: 10_000 },
        restart: { ...serviceSpec('x', []).restart, policy: 'on-failure', crashLoopCount: 3 },
        critical: false,
      }),
    );
    expect(await sp.start()).toBe('failed');
    const status = sp.status();
    expect(status.state).toBe('failed');
    expect(status.restarts).toBe(2);
    expect(status.lastError).toContain('agent-runner crashed 3 times');
    expect(status.lastError).toContain(`Last output: "${fatal}"`);
    expect(pids).toHaveLength(3);
    expect(pids.every((p) => !alive(p))).toBe(true);
  });

  it('a user start after a crash loop resets the restart count', async () => {
    const counter = join(runDir, 'runs');
    const { sp } = make(
      serviceSpec('flaky', ['--counter', counter, '--crashes', '2', '--print', 'up'], {
        readiness: { kind: 'log', stream: 'stdout', pattern: '^up$', timeoutMs: 10_000 },
        restart: { ...serviceSpec('x', []).restart, policy: 'on-failure', crashLoopCount: 2 },
      }),
    );
    expect(await sp.start()).toBe('ready');
    await eventually(() => sp.status().state === 'failed', 'crash loop');
    expect(sp.status().restarts).toBe(1);
    expect(await sp.start()).toBe('ready'); // third run: the fixture stops crashing
    expect(sp.status()).toMatchObject({ restarts: 0, lastError: null });
  });

  it('stays crashed under policy never, with exit code and last line', async () => {
    const { sp } = make(serviceSpec('once', ['--eprint', 'boom', '--exit', '3']));
    expect(await sp.start()).toBe('ready'); // readiness none: ready at spawn
    await eventually(() => sp.status().state === 'crashed', 'crash');
    expect(sp.status().lastError).toContain('exited with code 3');
    expect(sp.status().lastError).toContain('"boom"');
    expect(sp.status().restarts).toBe(0);
  });

  it('a user stop cancels a pending backoff', async () => {
    const { sp, pids } = make(
      serviceSpec('crashy', ['--exit', '1'], {
        restart: {
          ...serviceSpec('x', []).restart,
          policy: 'always',
          initialBackoffMs: 5_000,
          maxBackoffMs: 5_000,
        },
      }),
    );
    await sp.start();
    await eventually(() => sp.status().state === 'backoff', 'backoff');
    expect(sp.status().nextRestartAt).not.toBeNull();
    await sp.stop();
    expect(sp.status().state).toBe('stopped');
    expect(sp.status().nextRestartAt).toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    expect(pids).toHaveLength(1);
  });
});

describe('not installed', () => {
  it('reports not-installed with the searched places', async () => {
    const { sp } = make(
      serviceSpec('temporal', [], {
        command: null,
        searched: ['/usr/local/bin', '~/.temporalio/bin'],
      }),
    );
    expect(sp.status().state).toBe('not-installed');
    expect(await sp.start()).toBe('not-installed');
    expect(sp.status().searched).toEqual(['/usr/local/bin', '~/.temporalio/bin']);
    expect(sp.status().command).toBeNull();
  });

  it('fails with advice when the program cannot be spawned', async () => {
    const { sp } = make(serviceSpec('ghost', [], { command: join(runDir, 'no-such-binary') }));
    expect(await sp.start()).toBe('failed');
    expect(sp.status().lastError).toContain('ghost could not be started (ENOENT)');
  });
});

describe('needs key', () => {
  const exists = (file: string): Promise<boolean> =>
    access(file).then(
      () => true,
      () => false,
    );

  /** prepareEnv that injects ANTHROPIC_API_KEY, or throws NeedsKeyError while it is unset. */
  function keyEnv(): { key: { value: string | null }; calls: () => number } & {
    prepareEnv: ServiceProcessOptions['prepareEnv'];
  } {
    const key: { value: string | null } = { value: null };
    let calls = 0;
    return {
      key,
      calls: () => calls,
      prepareEnv: (s) => {
        calls++;
        if (key.value === null) return Promise.reject(new NeedsKeyError(['ANTHROPIC_API_KEY']));
        return Promise.resolve({ ...s.env, ANTHROPIC_API_KEY: key.value });
      },
    };
  }

  /** A child that prints the key it got, then stays up. */
  const printsKey = (name: string, over: Partial<ServiceSpec> = {}): ServiceSpec =>
    serviceSpec(name, [], {
      args: [
        '-e',
        "console.log('KEY=' + process.env.ANTHROPIC_API_KEY); setInterval(() => {}, 1e5)",
      ],
      readiness: { kind: 'log', stream: 'stdout', pattern: '^KEY=', timeoutMs: 10_000 },
      ...over,
    });

  it('waits in needs-key without spawning, then starts once the key is there', async () => {
    const log = join(runDir, 'events.log');
    const env = keyEnv();
    const { sp, pids, states } = make(
      serviceSpec('agent-runner', ['--log', log], { critical: false }),
      env.prepareEnv,
    );
    expect(await sp.start()).toBe('needs-key');
    expect(sp.status()).toMatchObject({
      state: 'needs-key',
      neededKeys: ['ANTHROPIC_API_KEY'],
      lastError:
        'agent-runner needs ANTHROPIC_API_KEY. Enter it in the Keys view (or the dialog) to start it.',
      pid: null,
      restarts: 0,
      nextRestartAt: null,
    });
    expect(states).not.toContain('backoff');
    expect(pids).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(await exists(log)).toBe(false); // never spawned
    expect(sp.status().state).toBe('needs-key'); // no retry on its own
    expect(env.calls()).toBe(1);

    env.key.value = 'sk-test';
    expect(await sp.start()).toBe('ready');
    expect(sp.status()).toMatchObject({ state: 'ready', neededKeys: [], lastError: null });
    await eventually(() => exists(log), 'the child ran'); // readiness none: ready at spawn
    expect(env.calls()).toBe(2);
  });

  it('the child sees the injected key', async () => {
    const env = keyEnv();
    const { sp } = make(printsKey('agent-runner'), env.prepareEnv);
    expect(await sp.start()).toBe('needs-key');
    env.key.value = 'sk-injected';
    expect(await sp.start()).toBe('ready');
    expect(sp.status().lastLines).toContain('KEY=sk-injected');
  });

  it('names every missing key', async () => {
    const { sp } = make(serviceSpec('multi', []), () =>
      Promise.reject(new NeedsKeyError(['A_KEY', 'B_KEY', 'C_KEY'])),
    );
    expect(await sp.start()).toBe('needs-key');
    expect(sp.status().neededKeys).toEqual(['A_KEY', 'B_KEY', 'C_KEY']);
    expect(sp.status().lastError).toBe(
      'multi needs A_KEY, B_KEY and C_KEY. Enter them in the Keys view (or the dialog) to start it.',
    );
  });

  it('stop() on a service waiting for its key makes it stopped', async () => {
    const { sp } = make(serviceSpec('agent-runner', []), keyEnv().prepareEnv);
    expect(await sp.start()).toBe('needs-key');
    await sp.stop();
    expect(sp.status()).toMatchObject({ state: 'stopped', neededKeys: [], pid: null });
  });

  it('any other prepareEnv error fails the start', async () => {
    const { sp, pids } = make(serviceSpec('agent-runner', []), () =>
      Promise.reject(new Error('keychain locked')),
    );
    expect(await sp.start()).toBe('failed');
    expect(sp.status()).toMatchObject({ state: 'failed', neededKeys: [] });
    expect(sp.status().lastError).toContain(
      'agent-runner could not get its environment: Error: keychain locked',
    );
    expect(pids).toEqual([]);
  });

  it('an automatic restart whose key was removed meanwhile goes to needs-key', async () => {
    const counter = join(runDir, 'runs');
    const env = keyEnv();
    env.key.value = 'sk-first';
    const { sp, pids, states } = make(
      serviceSpec('agent-runner', ['--counter', counter, '--crashes', '1', '--print', 'up'], {
        readiness: { kind: 'log', stream: 'stdout', pattern: '^up$', timeoutMs: 10_000 },
        restart: { ...serviceSpec('x', []).restart, policy: 'on-failure', crashLoopCount: 5 },
      }),
      env.prepareEnv,
    );
    expect(await sp.start()).toBe('ready');
    env.key.value = null; // evicted while the first run is up
    await eventually(() => sp.status().state === 'needs-key', 'needs-key after the crash');
    expect(states).toContain('backoff');
    expect(sp.status()).toMatchObject({
      neededKeys: ['ANTHROPIC_API_KEY'],
      pid: null,
      restarts: 0,
      nextRestartAt: null,
    });
    expect(pids).toHaveLength(1);
    expect(Number(await readFile(counter, 'utf8'))).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(sp.status().state).toBe('needs-key'); // no further retries

    env.key.value = 'sk-second';
    expect(await sp.start()).toBe('ready'); // second run: the fixture stops crashing
    expect(Number(await readFile(counter, 'utf8'))).toBe(2);
  });
});
