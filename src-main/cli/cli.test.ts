import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../e2e/support/free-port';
import { canaryKey } from '../../e2e/support/canary';
import {
  buildCli,
  makeDataDir,
  processAlive,
  processesNaming,
  processesWithMarker,
  removeDir,
  runCli,
  testEnv,
  type CliBuild,
} from './test-support';

const BROKEN = `  broken:
    command: /nonexistent/stigmer-broken-program
`;

describe('stigmer-local CLI against a real headless host', () => {
  let build: CliBuild;
  let dir: string;
  let marker: string;
  const canary = canaryKey('cli');
  const cli = (args: string[], input?: string) => runCli(build, dir, args, { input });

  beforeAll(async () => {
    build = await buildCli();
    ({ dir, marker } = await makeDataDir(await freePort(), BROKEN));
  }, 120_000);

  afterAll(async () => {
    await cli(['down']);
    await removeDir(dir);
    await removeDir(build.dir);
  }, 60_000);

  it('says the app is not running with exit 3 (status, status --json, keys, down)', async () => {
    const status = await cli(['status']);
    expect(status.code).toBe(3);
    expect(status.stderr).toContain('not running');
    expect(status.stderr).toContain('stigmer-local up');
    const json = await cli(['status', '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({ running: false, state: null, services: [] });
    expect((await cli(['keys'])).code).toBe(3);
    expect((await cli(['down'])).code).toBe(3);
  });

  it('up starts the headless host and asks for the missing key (piped), never echoing it', async () => {
    let argv = '';
    const up = await runCli(build, dir, ['up'], {
      input: `${canary}\n`,
      onSpawn: async (child) => {
        argv = await readFile(`/proc/${child.pid}/cmdline`, 'utf8');
      },
    });
    expect(up.stderr).toContain('ANTHROPIC_API_KEY is needed by agent-runner');
    expect(up.stdout).toMatch(/running headless \(pid \d+\)/);
    expect(up.stdout).toMatch(/http:\/\/127\.0\.0\.1:\d+\/#token=/);
    expect(up.code).toBe(0);
    expect(argv).toContain('up');
    for (const text of [argv, up.stdout, up.stderr]) expect(text).not.toContain(canary);
  });

  it('a second up starts nothing: exit 0, "already running", still one host', async () => {
    const before = await processesNaming(dir);
    expect(before).toHaveLength(1);
    const again = await cli(['up']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already running');
    expect(again.stdout).toContain(`pid ${before[0]}`);
    expect(await processesNaming(dir)).toEqual(before);
  });

  it('serves the socket with mode 0600 in a 0700 folder', async () => {
    const sock = await stat(join(dir, 'run', 'cli.sock'));
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'run'))).mode & 0o777).toBe(0o700);
  });

  it('status: exit 0 when ready, a table, and a stable --json shape', async () => {
    const table = await cli(['status']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^SERVICE\s+STATE\s+PID\s+PORTS\s+REASON$/m);
    expect(table.stdout).toMatch(/^stigmer-server\s+ready\s+\d+/m);
    const { code, stdout } = await cli(['status', '--json']);
    expect(code).toBe(0);
    const status = JSON.parse(stdout);
    expect(Object.keys(status).sort()).toEqual(
      ['host', 'pid', 'running', 'services', 'state', 'version'].sort(),
    );
    expect(status).toMatchObject({ running: true, host: 'browser', state: 'ready' });
    expect(Object.keys(status.services[0]).sort()).toEqual(
      ['critical', 'name', 'pid', 'ports', 'readyAt', 'reason', 'restarts', 'state'].sort(),
    );
    expect(stdout).not.toContain('\u001b['); // no colour off a terminal
  });

  it('keys: names, sources, fingerprints, never a value (table and --json)', async () => {
    const table = await cli(['keys']);
    expect(table.code).toBe(0);
    const json = await cli(['keys', '--json']);
    const parsed = JSON.parse(json.stdout);
    // `npm test` runs under a real Secret Service (remembered keys say keychain); a bare
    // `vitest run` has none (session).
    const source = parsed.keychain.available ? 'keychain' : 'session';
    expect(table.stdout).toMatch(
      new RegExp(`^ANTHROPIC_API_KEY\\s+set\\s+${source}\\s+fp:[0-9a-f]+`, 'm'),
    );
    const key = parsed.keys.find((k: { name: string }) => k.name === 'ANTHROPIC_API_KEY');
    expect(key).toMatchObject({ set: true, source, usedBy: ['agent-runner'] });
    expect(key.fingerprint).toMatch(/^fp:[0-9a-f]+$/);
    for (const text of [table.stdout, json.stdout]) expect(text).not.toContain(canary);
  });

  it('keys set refuses a value on the command line (exit 2) and changes nothing', async () => {
    const before = (await cli(['audit', '--json'])).stdout;
    const refused = await cli(['keys', 'set', 'ANTHROPIC_API_KEY', 'sk-ant-on-argv-123']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('shell history');
    expect(refused.stderr).toContain('printf %s "$KEY" | stigmer-local keys set ANTHROPIC_API_KEY');
    expect(JSON.parse((await cli(['audit', '--json'])).stdout).total).toBe(
      JSON.parse(before).total,
    );
  });

  it('keys rotate through a pseudo-terminal: masked input, the key never echoed', async () => {
    const fresh = canaryKey('pty');
    const command = `${process.execPath} ${build.cli} --user-data-dir ${dir} keys rotate ANTHROPIC_API_KEY`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: testEnv(dir),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
    const closed = new Promise<number | null>((r) => child.on('close', r));
    while (!screen.includes('(input hidden): ')) await new Promise((r) => setTimeout(r, 50));
    child.stdin.write(`${fresh}\r`);
    const code = await closed;
    expect(screen).toContain('*'.repeat(fresh.length));
    expect(screen).not.toContain(fresh);
    expect(code).toBe(0);
    expect(screen).toMatch(/rotated|Rotated/);
    const keys = JSON.parse((await cli(['keys', '--json'])).stdout);
    expect(keys.keys[0].fingerprint).toMatch(/^fp:/);
  });

  it('Ctrl-C at the masked prompt cancels (exit 1) and gives the terminal back (echo on)', async () => {
    const command = `${process.execPath} ${build.cli} --user-data-dir ${dir} keys set CURSOR_API_KEY; echo "exit=$?"; stty -a`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: testEnv(dir),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
    const closed = new Promise<number | null>((r) => child.on('close', r));
    while (!screen.includes('(input hidden): ')) await new Promise((r) => setTimeout(r, 50));
    child.stdin.write('half-typed\u0003');
    await closed;
    expect(screen).toContain('Cancelled; nothing was changed.');
    expect(screen).toContain('exit=1');
    expect(screen).not.toContain('half-typed');
    expect(screen).toMatch(/(^|\s)icanon(\s|$)/m);
    expect(screen).toMatch(/(^|\s)echo(\s|$)/m);
    const keys = JSON.parse((await cli(['keys', '--json'])).stdout);
    expect(keys.keys.find((k: { name: string }) => k.name === 'CURSOR_API_KEY').set).toBe(false);
  });

  it('a piped key for keys set is read from stdin and appears in no output', async () => {
    const piped = canaryKey('pipe');
    const set = await cli(['keys', 'set', 'OPENAI_API_KEY'], piped);
    expect(set.code).toBe(0);
    const source = JSON.parse((await cli(['keys', '--json'])).stdout).keychain.available
      ? 'keychain'
      : 'session';
    expect(set.stdout).toMatch(new RegExp(`^OPENAI_API_KEY\\s+set\\s+${source}\\s+fp:`, 'm'));
    expect(set.stdout + set.stderr).not.toContain(piped);
  });

  it('stop, start and restart follow a service to its state (exit 0); unknown is exit 2', async () => {
    const stop = await cli(['stop', 'agent-runner']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/^agent-runner\s+stopped/m);
    const start = await cli(['start', 'agent-runner']);
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/^agent-runner\s+ready\s+\d+/m);
    const restart = await cli(['restart', '--json']);
    expect(restart.code).toBe(0);
    expect(JSON.parse(restart.stdout)).toMatchObject({ ok: true, state: 'ready' });
    // The journal names the terminal as the actor, not the window.
    const stops = await cli(['audit', '--type', 'service.stop-requested', '-n', '1', '--json']);
    expect(JSON.parse(stops.stdout).entries[0]).toMatchObject({
      actor: 'cli',
      service: 'agent-runner',
    });
    const unknown = await cli(['start', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No service named nope');
  });

  it('start of a service that cannot run exits 1 with the reason', async () => {
    const failed = await cli(['start', 'broken']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('broken is not installed');
    expect(failed.stderr).toContain('Install it, or set its path in the stack file');
  });

  it('logs, audit (--type, --json, --verify), open', async () => {
    const logs = await cli(['logs', 'agent-runner', '-n', '20']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('Worker ready, polling for tasks');
    expect(logs.stdout).not.toContain(canary);
    const none = await cli(['logs', 'agent-runner', '--level', 'fatal']);
    expect(none.stdout).toBe('');
    expect((await cli(['logs', '--since', 'yesterday-ish'])).code).toBe(2);

    expect((await cli(['audit', '--type', 'key.set'])).stderr).toContain(
      'Unknown audit type key.set',
    );
    const audit = await cli(['audit', '--type', 'key.entered,key.rotated', '--json']);
    expect(audit.code).toBe(0);
    const { entries, total } = JSON.parse(audit.stdout);
    expect(total).toBeGreaterThan(0);
    const types = new Set(entries.map((e: { type: string }) => e.type));
    expect([...types].sort()).toEqual(['key.entered', 'key.rotated']);
    expect(audit.stdout).not.toContain(canary);
    const verify = await cli(['audit', '--verify', '--json']);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });

    const open = await cli(['open', '--json']);
    expect(open.code).toBe(0);
    expect(JSON.parse(open.stdout)).toMatchObject({ shown: false, opened: false });
    expect(JSON.parse(open.stdout).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
  });

  it('raw garbage, a huge line and half frames on the socket: refused, the host still answers', async () => {
    const path = join(dir, 'run', 'cli.sock');
    const send = (data: string | Buffer, end: boolean) =>
      new Promise<string>((resolve) => {
        const socket = connect(path);
        let got = '';
        socket.on('error', () => undefined);
        socket.setEncoding('utf8').on('data', (d: string) => (got += d));
        socket.on('close', () => resolve(got));
        socket.write(data, () => (end ? socket.end() : undefined));
        if (!end) setTimeout(() => socket.destroy(), 300);
      });
    const garbage = await send('\u0000\u00ff{{{ not json\n', false);
    expect(garbage).toContain('"hello":"stigmer-local"');
    expect(garbage).toContain('"error":"not JSON');
    const huge = await send(Buffer.alloc(2 * 1024 * 1024, 0x61), false);
    expect(huge).toContain('over 1048576 bytes');
    expect(await send('{"id":1,"chan', true)).toContain('"hello"');
    expect(await send('[1,2,3]\n', false)).toContain('not a request object');
    const stranger = await send('{"id":2,"channel":"fs:read","args":"/etc/passwd"}\n', false);
    expect(stranger).toContain('"code":"unknown-channel"');
    expect((await cli(['status'])).code).toBe(0);
  });

  it('diagnostics -o writes the bundle where asked', async () => {
    const out = join(dir, 'support.tar.gz');
    const diag = await cli(['diagnostics', '-o', out, '--json']);
    expect(diag.code).toBe(0);
    expect(JSON.parse(diag.stdout)).toMatchObject({ path: out });
    expect((await stat(out)).size).toBeGreaterThan(0);
  });

  it('down stops the host and every service it ran: nothing is left behind', async () => {
    const hosts = await processesNaming(dir);
    expect(await processesWithMarker(marker)).not.toHaveLength(0);
    const down = await cli(['down']);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('have stopped');
    expect(await processesNaming(dir)).toEqual([]);
    expect(hosts.every((pid) => !processAlive(pid))).toBe(true);
    expect(await processesWithMarker(marker)).toEqual([]);
    expect((await cli(['status'])).code).toBe(3);
  });

  it('up --foreground runs in this terminal until down; the CLI exits with the host', async () => {
    const key = canaryKey('fg');
    const fg = spawn(process.execPath, [build.cli, '--user-data-dir', dir, 'up', '--foreground'], {
      env: testEnv(dir),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    fg.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    fg.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    fg.stdin.end(`${key}\n`);
    const exited = new Promise<number | null>((r) => fg.on('close', r));
    while (!out.includes('running headless')) await new Promise((r) => setTimeout(r, 100));
    expect((await cli(['status'])).code).toBe(0);
    expect((await cli(['down'])).code).toBe(0);
    expect(await exited).toBe(0);
    expect(out).not.toContain(key);
    expect(await processesWithMarker(marker)).toEqual([]);
  });
});
