import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readJournalEntries, verifyJournal } from '../core/audit';
import { readInstanceLock } from '../core/instance-lock';
import { pidFilePath, readPidFile, type PidFileRecord } from '../core/supervisor/pid-file';
import { isProcessAlive, sleep } from '../core/supervisor/process-group';
import { bundleEntries, type Bundle } from '../core/test-fixtures/bundle';
import { EXIT_ALREADY_RUNNING } from './run';

// Two real browser hosts (the real cli.ts, bundled the way the app is built, each its own
// `node` process) on one temp user-data dir: the second must leave the first one's stack alone.

const sleeper = join(import.meta.dirname, '../core/supervisor/test-fixtures/sleeper.mjs');
let bundle: Bundle;
let dir: string;
const hosts: ChildProcess[] = [];
const leftovers: number[] = [];
/** Everything the hosts printed, for failure messages. */
const printed: string[] = [];

beforeAll(async () => {
  bundle = await bundleEntries({ 'browser-host': join(import.meta.dirname, 'cli.ts') });
  dir = await mkdtemp(join(tmpdir(), 'stigmer-second-'));
  // Only a stand-in service, so the stack really runs a child on any machine.
  await writeFile(
    join(dir, 'stack.yaml'),
    `services:
  temporal: { enabled: false }
  stigmer-server: { enabled: false }
  agent-runner: { enabled: false }
  worker:
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(sleeper)}]
    readiness: { log: sleeping, timeout: 20s }
`,
  );
});
afterEach(() => {
  printed.length = 0;
  for (const host of hosts.splice(0)) host.kill('SIGKILL');
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
});
afterAll(async () => {
  await bundle.dispose();
  await rm(dir, { recursive: true, force: true });
});

interface Launched {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

function launch(): Launched {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir };
  for (const name of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'CURSOR_API_KEY']) delete env[name];
  const child = spawn(
    process.execPath,
    [bundle.file('browser-host'), '--user-data-dir', dir, '--start-stack'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  hosts.push(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const tag = `[host ${child.pid}]`;
  createInterface({ input: child.stdout! }).on('line', (l) => {
    stdout.push(l);
    printed.push(`${tag} ${l}`);
  });
  createInterface({ input: child.stderr! }).on('line', (l) => {
    stderr.push(l);
    printed.push(`${tag} ${l}`);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, stdout, stderr, exited };
}

/** Poll `probe` until it gives a value; on giving up, say what the hosts printed. */
async function until<T>(what: string, probe: () => Promise<T | null> | T | null): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (value !== null) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}; hosts printed:\n${printed.join('\n')}`);
}

/** Launch a host and wait until it serves and its worker runs. */
async function launchRunning(): Promise<Launched & { url: string; worker: PidFileRecord }> {
  const host = launch();
  const url = await until('the URL', () => {
    if (host.child.exitCode !== null) throw new Error(`host exited: ${host.stderr.join('\n')}`);
    return host.stdout.find((l) => l.startsWith('http://127.0.0.1:')) ?? null;
  });
  const worker = await until('the worker', async () => {
    const record = await readPidFile(pidFilePath(join(dir, 'run'), 'worker'));
    return record && record.owner?.pid === host.child.pid ? record : null;
  });
  leftovers.push(worker.pid);
  return { ...host, url, worker };
}

/** One IPC call through the host's WebSocket, authenticated as its window is. */
async function call(url: string, channel: string): Promise<unknown> {
  const { origin, hash } = new URL(url);
  const token = new URLSearchParams(hash.slice(1)).get('token')!;
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/ipc?token=${token}`, { origin });
  try {
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return await new Promise((resolve) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
        if (msg.id === 1) resolve(msg.result);
      });
      ws.send(JSON.stringify({ id: 1, channel }));
    });
  } finally {
    ws.close();
  }
}

const starts = async (): Promise<number> =>
  (await readJournalEntries(join(dir, 'audit'))).filter((e) => e.type === 'app.started').length;

describe('a second browser host on the same user-data dir', () => {
  it('is refused with the running one URL, and the first host keeps its stack and journal', async () => {
    const first = await launchRunning();
    const startsBefore = await starts();

    const second = launch();
    const code = await until('the second host to exit', () => second.child.exitCode);
    expect(code, second.stdout.join('\n')).toBe(EXIT_ALREADY_RUNNING);
    const said = second.stderr.join('\n');
    expect(said).toContain(
      `Stigmer Local is already running for ${dir} (pid ${first.child.pid}, browser host).`,
    );
    expect(said).toContain(`Open: ${first.url}`);
    expect(second.stdout).toEqual([]); // it never served anything

    // The first host's stack is untouched: same child, alive, still its own.
    expect(isProcessAlive(first.worker.pid)).toBe(true);
    expect(await readPidFile(pidFilePath(join(dir, 'run'), 'worker'))).toEqual(first.worker);
    expect(await call(first.url, 'stack:snapshot')).toMatchObject({
      ok: true,
      value: { services: [{ name: 'worker', state: 'ready', pid: first.worker.pid }] },
    });
    // One writer, one chain: the second host never opened the journal.
    expect(await starts()).toBe(startsBefore);
    expect(await verifyJournal(join(dir, 'audit'))).toMatchObject({ ok: true });
    expect((await readInstanceLock(dir))?.pid).toBe(first.child.pid);

    // A clean stop releases the dir and stops the child.
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(await readInstanceLock(dir)).toBeNull();
    expect(isProcessAlive(first.worker.pid)).toBe(false);
    expect(await verifyJournal(join(dir, 'audit'))).toMatchObject({ ok: true });
  }, 90_000); // several real host processes

  it('after a kill -9 of the first, the next one takes the stale lock and reclaims the orphan', async () => {
    const first = await launchRunning();
    first.child.kill('SIGKILL');
    await first.exited;
    expect(isProcessAlive(first.worker.pid)).toBe(true); // orphaned, as after a crash
    expect((await readInstanceLock(dir))?.pid).toBe(first.child.pid); // stale lock left behind

    const next = await launchRunning();
    expect(isProcessAlive(first.worker.pid)).toBe(false); // the orphan was reclaimed
    expect(next.worker.pid).not.toBe(first.worker.pid);
    const lock = await readInstanceLock(dir);
    expect(lock).toMatchObject({ pid: next.child.pid, host: 'browser', url: next.url });
    expect(await readFile(join(dir, 'run', 'instance.lock'), 'utf8')).toContain(next.url);

    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    expect(await verifyJournal(join(dir, 'audit'))).toMatchObject({ ok: true });
  }, 90_000);
});
