import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backendFor,
  keyringLoadFailure,
  openKeychain,
  PROBE_ACCOUNT,
  SessionOnlyStore,
} from './keychain';

const TEST_SERVICE = 'dev.stigmer.local-test';
const run = promisify(execFile);

/** `secret-tool lookup` exits 1 with no output when the entry is absent. */
async function lookup(account: string): Promise<string | null> {
  try {
    const { stdout } = await run('secret-tool', [
      'lookup',
      'service',
      TEST_SERVICE,
      'username',
      account,
    ]);
    return stdout;
  } catch {
    return null;
  }
}

describe('backendFor', () => {
  it('names the keychain of each platform honestly', () => {
    expect(backendFor('darwin')).toBe('macOS Keychain');
    expect(backendFor('win32')).toBe('Windows Credential Manager');
    expect(backendFor('linux')).toBe('Secret Service');
    expect(backendFor('aix')).toBe('none');
  });

  it('SessionOnlyStore remembers nothing and refuses to pretend', async () => {
    const store = new SessionOnlyStore('No keychain.');
    expect(store).toMatchObject({ backend: 'none', available: false, reason: 'No keychain.' });
    await expect(store.set('A', Buffer.from('x'))).rejects.toThrow(
      'A was not remembered. No keychain.',
    );
    expect(await store.get('A')).toBeNull();
  });
});

describe.runIf(process.env.STIGMER_TEST_KEYRING === '1')(
  'real Secret Service (gnome-keyring)',
  () => {
    it('stores, reads and deletes a key; secret-tool sees it, then does not', async () => {
      const store = await openKeychain({ service: TEST_SERVICE });
      expect(store).toMatchObject({ backend: 'Secret Service', available: true, reason: null });
      expect(await lookup(PROBE_ACCOUNT)).toBeNull(); // the start-up probe cleans up after itself
      const value = `sk-ant-keychain-${Date.now()}`;
      await store.set('ANTHROPIC_API_KEY', Buffer.from(value));
      expect(await lookup('ANTHROPIC_API_KEY')).toBe(value);
      expect((await store.get('ANTHROPIC_API_KEY'))?.toString()).toBe(value);
      expect(await store.delete('ANTHROPIC_API_KEY')).toBe(true);
      expect(await lookup('ANTHROPIC_API_KEY')).toBeNull();
      expect(await store.get('ANTHROPIC_API_KEY')).toBeNull();
      expect(await store.delete('ANTHROPIC_API_KEY')).toBe(false);
    });
  },
);

/**
 * openKeychain in a child node process with its own D-Bus address, so the env change cannot
 * leak into this worker. The module is transpiled as is; only its package lookups are anchored
 * to this repo because the copy lives in a temp dir.
 */
describe('openKeychain without a usable keychain (child process)', () => {
  let dir: string;
  let script: string;
  let hangServer: Server;
  const hangSocket = () => join(dir, 'hang.sock');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stigmer-kc-'));
    const here = fileURLToPath(new URL('.', import.meta.url));
    const source = await readFile(join(here, 'keychain.ts'), 'utf8');
    const anchor = pathToFileURL(join(here, 'keychain.ts')).href;
    const keyringUrl = pathToFileURL(
      (await import('node:module')).createRequire(anchor).resolve('@napi-rs/keyring'),
    ).href;
    const js = ts
      .transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      })
      .outputText.replace("'@napi-rs/keyring'", JSON.stringify(keyringUrl))
      .replace('createRequire(import.meta.url)', `createRequire(${JSON.stringify(anchor)})`);
    await writeFile(join(dir, 'keychain.mjs'), js);
    script = join(dir, 'probe.mjs');
    await writeFile(
      script,
      `import { openKeychain } from './keychain.mjs';
const s = await openKeychain({ service: '${TEST_SERVICE}', probeTimeoutMs: Number(process.argv[2]) });
console.log(JSON.stringify({ backend: s.backend, available: s.available, reason: s.reason }));
process.exit(0);`,
    );
    hangServer = createServer(() => {}).listen(hangSocket()); // accepts, never answers
    await new Promise((r) => hangServer.once('listening', r));
  });
  afterAll(async () => {
    hangServer.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function probeWith(busAddress: string, timeoutMs: number) {
    const child = spawn(process.execPath, [script, String(timeoutMs)], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: busAddress },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    // Read the first line rather than wait for exit: a probe worker stuck in D-Bus keeps the
    // child alive until the bus's own reply timeout (see the note in keychain.ts).
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve();
      });
      child.once('exit', () => resolve());
    });
    child.kill('SIGKILL');
    return JSON.parse(out) as { backend: string; available: boolean; reason: string };
  }

  it.runIf(process.platform === 'linux')(
    'reports none and session-only when D-Bus is absent',
    async () => {
      const result = await probeWith('unix:path=/nonexistent', 3_000);
      expect(result).toEqual({
        backend: 'none',
        available: false,
        reason:
          'No keychain is reachable (Secret Service: no D-Bus session). Keys are kept in memory for this session only.',
      });
    },
  );

  it.runIf(process.platform === 'linux')(
    'treats a Secret Service that never answers as none',
    async () => {
      const result = await probeWith(`unix:path=${hangSocket()}`, 300);
      expect(result.available).toBe(false);
      expect(result.reason).toBe(
        'No keychain is reachable (Secret Service: no answer within 0.3 s; it may be waiting for an unlock prompt). Keys are kept in memory for this session only.',
      );
    },
  );
});

describe('openKeychain when @napi-rs/keyring has no binding for this CPU', () => {
  const bindingError = new Error(
    'Cannot find native binding. npm has a bug related to optional dependencies (https://github.com/npm/cli/issues/4828).',
  );

  it('falls back to session-only keys and says why, with the CPU', async () => {
    let loads = 0;
    const store = await openKeychain({
      platform: 'darwin',
      loadKeyring: async () => {
        loads++;
        throw bindingError;
      },
    });
    expect(loads).toBe(1);
    expect(store).toMatchObject({ backend: 'none', available: false });
    expect(store.reason).toBe(
      `The keychain module could not be loaded for this CPU (darwin-${process.arch}: Cannot find native binding. npm has a bug related to optional dependencies (https://github.com/npm/cli/issues/4828).); keys are kept for this session only. Install the Stigmer Local build made for this computer to remember keys.`,
    );
    await expect(store.set('ANTHROPIC_API_KEY', Buffer.from('x'))).rejects.toThrow(
      /^ANTHROPIC_API_KEY was not remembered\. The keychain module could not be loaded/,
    );
  });

  it('does not load the module where no keychain is supported', async () => {
    const store = await openKeychain({
      platform: 'aix',
      loadKeyring: () => Promise.reject(new Error('must not be called')),
    });
    expect(store.reason).toBe(
      'No keychain is supported on aix. Keys are kept in memory for this session only.',
    );
  });

  it('keyringLoadFailure keeps only the first line of a long loader error', () => {
    expect(keyringLoadFailure(new Error('first line\n  at stack'), 'win32', 'arm64')).toMatch(
      /^The keychain module could not be loaded for this CPU \(win32-arm64: first line\); keys are kept for this session only\./,
    );
  });

  it('the module itself loads when the binding throws (no static import), in a child process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stigmer-kc-cpu-'));
    try {
      const here = fileURLToPath(new URL('.', import.meta.url));
      const source = await readFile(join(here, 'keychain.ts'), 'utf8');
      // Stands in for @napi-rs/keyring's index.js on a CPU it has no binding for.
      await writeFile(
        join(dir, 'no-binding.mjs'),
        `throw new Error(${JSON.stringify(bindingError.message)});\n`,
      );
      const js = ts
        .transpileModule(source, {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        })
        .outputText.replaceAll("'@napi-rs/keyring'", "'./no-binding.mjs'");
      await writeFile(join(dir, 'keychain.mjs'), js);
      await writeFile(
        join(dir, 'main.mjs'),
        `const { openKeychain } = await import('./keychain.mjs');
const s = await openKeychain({ platform: 'darwin' });
console.log(JSON.stringify({ backend: s.backend, available: s.available, reason: s.reason }));`,
      );
      const { stdout } = await run(process.execPath, [join(dir, 'main.mjs')]);
      const result = JSON.parse(stdout) as { backend: string; available: boolean; reason: string };
      expect(result).toMatchObject({ backend: 'none', available: false });
      expect(result.reason).toContain(`(darwin-${process.arch}: Cannot find native binding.`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
