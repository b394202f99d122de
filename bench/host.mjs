// Shared by the host benches: start a real browser host (dist/main/browser-host.js, or the
// build in BENCH_DIST / --dist) on a temp data dir with a given stack file, talk to it over its
// WebSocket like the window does, and read its own CPU time and memory from /proc.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';

export const root = path.dirname(import.meta.dirname);

/**
 * The dist folder the benches run against: --dist / BENCH_DIST, else the repository's dist/. A
 * build outside the repository resolves its external packages (ws, execa...) through a
 * node_modules link beside it, made here once.
 */
export function distDir() {
  const dir = path.resolve(process.env.BENCH_DIST ?? path.join(root, 'dist'));
  const link = path.join(dir, 'node_modules');
  if (!dir.startsWith(root + path.sep) && !existsSync(link)) {
    symlinkSync(path.join(root, 'node_modules'), link, 'dir');
  }
  return dir;
}

/** Nearest-rank percentile of an ascending array. */
export const percentile = (sorted, p) =>
  sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const TICKS = 100; // USER_HZ: /proc/<pid>/stat reports utime/stime in 1/100 s on Linux

/** utime + stime of one process (not its children) in ms, from /proc/<pid>/stat. */
export function cpuMsOf(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = text
    .slice(text.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS;
}

/** Resident set size of one process in bytes (VmRSS), or 0 when it is gone. */
export function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * `node <dist>/main/browser-host.js --user-data-dir <tmp>` with `stackYaml` as its stack file;
 * resolves once it prints its URL. `env` is added to the host's environment, `nodeArgs` go
 * before the script (e.g. --cpu-prof).
 */
export async function startHost({ stackYaml, env = {}, args = [], nodeArgs = [] }) {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-bench-host-'));
  await writeFile(path.join(userDataDir, 'stack.yaml'), stackYaml);
  const hostEnv = { ...process.env, HOME: userDataDir, ...env };
  for (const name of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'CURSOR_API_KEY']) {
    delete hostEnv[name];
  }
  const entry = path.join(distDir(), 'main/browser-host.js');
  const child = spawn(
    process.execPath,
    [...nodeArgs, entry, '--user-data-dir', userDataDir, ...args],
    {
      env: hostEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = [];
  createInterface({ input: child.stderr }).on('line', (l) => output.push(`[stderr] ${l}`));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`browser host did not start within 20 s:\n${output.join('\n')}`));
    }, 20_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      if (line.startsWith('http://127.0.0.1:')) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`browser host exited ${code}:\n${output.join('\n')}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(userDataDir, { recursive: true, force: true });
  };
  return { child, pid: child.pid, url, output, userDataDir, stop };
}

/** A WebSocket client of the host, as the window is: invoke(channel, args) and events. */
export async function connect(url) {
  const u = new URL(url);
  const token = new URLSearchParams(u.hash.slice(1)).get('token');
  const ws = new WebSocket(`ws://${u.host}/ipc?token=${encodeURIComponent(token)}`, {
    headers: { Origin: `http://${u.host}` },
  });
  await once(ws, 'open');
  let nextId = 1;
  const pending = new Map();
  const listeners = new Set();
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString('utf8'));
    if (typeof msg.id === 'number') {
      pending.get(msg.id)?.(msg.result);
      pending.delete(msg.id);
    } else if (msg.event) for (const l of listeners) l(msg.event, msg.payload);
  });
  return {
    invoke(channel, args) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, channel, args }));
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      ws.close();
    },
  };
}

/** Waits until each service in `names` is ready (or `timeoutMs` passes). */
export async function waitReady(client, names, timeoutMs = 30_000) {
  const t0 = Date.now();
  for (;;) {
    const r = await client.invoke('stack:snapshot');
    const services = r.ok ? r.value.services.filter((s) => names.includes(s.name)) : [];
    if (services.length === names.length && services.every((s) => s.state === 'ready')) {
      return services;
    }
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(
        `services not ready after ${timeoutMs} ms: ${services.map((s) => `${s.name}=${s.state}`).join(', ')}`,
      );
    }
    await sleep(100);
  }
}

/** A TCP port that was free a moment ago (the OS picks it). */
export async function freePort() {
  const { createServer } = await import('node:net');
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** The default services switched off, so a stack file lists only what a bench adds. */
export const NO_DEFAULTS = `services:
  temporal:
    enabled: false
  stigmer-server:
    enabled: false
  agent-runner:
    enabled: false
`;
