// Launches the real browser host (dist/main/browser-host.js) as a child process and talks to
// it the way the page does: one authenticated WebSocket, {id, channel, args} -> {id, result}.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const KEY_VARS = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'CURSOR_API_KEY'];

/**
 * The host's environment: the developer's own keys never reach it, and without a session bus
 * it cannot write a canary into the developer's real keychain.
 */
function hostEnv(homeDir) {
  const env = { ...process.env, HOME: homeDir };
  for (const name of [...KEY_VARS, 'DBUS_SESSION_BUS_ADDRESS', 'NODE_OPTIONS']) delete env[name];
  return env;
}

/** A running host: its process, everything it printed, and a request function. */
export async function launchHost({ hostDir, dataDir, homeDir, startStack = false }) {
  const args = [join(hostDir, 'browser-host.js'), '--user-data-dir', dataDir, '--port', '0'];
  if (startStack) args.push('--start-stack');
  const child = spawn(process.execPath, args, {
    env: hostEnv(homeDir),
    cwd: homeDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle = {
    pid: child.pid,
    child,
    /** Everything the host printed (stdout and stderr), for the canary check. */
    output: '',
    /** The last lines it printed, for the failure report. */
    tail: [],
    exitCode: undefined,
    exited: new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        handle.exitCode = code ?? signal;
        resolve(handle.exitCode);
      }),
    ),
    ws: null,
    pending: new Map(),
    nextId: 1,
    alive: () => handle.exitCode === undefined,
    call: (channel, payload, timeoutMs) => request(handle, channel, payload, timeoutMs),
  };
  const collect = (stream, tag) =>
    createInterface({ input: stream }).on('line', (line) => {
      handle.output += `${line}\n`;
      handle.tail.push(`${tag}${line}`);
      if (handle.tail.length > 40) handle.tail.shift();
    });
  collect(child.stderr, '[stderr] ');
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no URL within 20 s')), 20_000);
    collect(child.stdout, '').on('line', (line) => {
      if (line.startsWith('http://127.0.0.1:')) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    handle.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before printing its URL`));
    });
  }).catch((error) => {
    child.kill('SIGKILL');
    throw new Error(
      `The browser host did not start: ${error.message}.\n  ${handle.tail.join('\n  ')}`,
    );
  });
  const { port, hash } = new URL(url);
  const token = new URLSearchParams(hash.slice(1)).get('token');
  handle.port = Number(port);
  handle.ws = await connect(handle.port, token);
  handle.ws.on('message', (data) => {
    const msg = JSON.parse(String(data));
    if (typeof msg.id !== 'number') return; // an event (logs, status): not needed here
    const waiter = handle.pending.get(msg.id);
    if (waiter) waiter(msg.result);
  });
  handle.ws.on('close', () => {
    for (const waiter of handle.pending.values()) waiter(null);
  });
  return handle;
}

function connect(port, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ipc?token=${token}`, {
      origin: `http://127.0.0.1:${port}`,
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', (error) => reject(new Error(`IPC socket: ${error.message}`)));
  });
}

/**
 * One IPC request. Resolves to the router's {ok, value | error}; a host that does not answer
 * in time, or whose socket closed, resolves to {ok: false, error: {code: 'no-answer'}}.
 */
function request(handle, channel, payload, timeoutMs = 30_000) {
  const id = handle.nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      handle.pending.delete(id);
      resolve({ ok: false, error: { code: 'no-answer', message: `no answer in ${timeoutMs} ms` } });
    }, timeoutMs);
    handle.pending.set(id, (result) => {
      clearTimeout(timer);
      handle.pending.delete(id);
      resolve(
        result ?? { ok: false, error: { code: 'no-answer', message: 'the IPC socket closed' } },
      );
    });
    if (!handle.ws || handle.ws.readyState !== WebSocket.OPEN) {
      handle.pending.get(id)(null);
      return;
    }
    handle.ws.send(JSON.stringify({ id, channel, args: payload }));
  });
}

/**
 * Start a second host on a data dir that already has a live one and wait for it to give up:
 * {code, output}, or {code: null} (then it was killed) when it was still running after 20 s.
 */
export async function launchSecondHost({ hostDir, dataDir, homeDir }) {
  const args = [join(hostDir, 'browser-host.js'), '--user-data-dir', dataDir, '--port', '0'];
  const child = spawn(process.execPath, args, {
    env: hostEnv(homeDir),
    cwd: homeDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const code = await Promise.race([
    exited,
    new Promise((resolve) => setTimeout(() => resolve(null), 20_000)),
  ]);
  if (code === null) {
    child.kill('SIGKILL');
    await exited;
  }
  return { pid: child.pid, code, output };
}

/** SIGKILL the host (no cleanup of any kind) and wait until it is gone. */
export async function killHost(handle) {
  handle.ws?.terminate();
  if (handle.alive()) handle.child.kill('SIGKILL');
  await handle.exited;
}

/** SIGTERM the host and wait for it to stop its stack and exit; null if it did not in time. */
export async function stopHost(handle, timeoutMs = 20_000) {
  if (!handle.alive()) return handle.exitCode;
  handle.child.kill('SIGTERM');
  const code = await Promise.race([
    handle.exited,
    new Promise((resolve) => setTimeout(() => resolve(null), timeoutMs)),
  ]);
  handle.ws?.terminate();
  return code;
}
