import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The `npm start` launcher (scripts/start-electron.mjs), run as a real child process against
// stand-in files for the sysctl, the chrome-sandbox helper, /etc/apparmor.d and Electron.

const run = promisify(execFile);
const script = path.resolve(__dirname, '../../scripts/start-electron.mjs');
const linuxOnly = process.platform === 'linux' ? it : it.skip;

let dir = '';
let binary = '';
let helper = '';
let apparmor = '';

async function launch(args: string[], env: Record<string, string>) {
  try {
    const out = await run(process.execPath, [script, ...args], {
      env: {
        PATH: process.env.PATH,
        STIGMER_ELECTRON_BINARY: binary,
        STIGMER_CHROME_SANDBOX: helper,
        STIGMER_APPARMOR_DIR: apparmor,
        ...env,
      },
    });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-start-'));
  binary = path.join(dir, 'electron');
  helper = path.join(dir, 'chrome-sandbox'); // owned by the test user: not a usable SUID helper
  apparmor = path.join(dir, 'apparmor.d');
  await mkdir(apparmor);
  // A stand-in Electron: prints its arguments and exits with a code chosen by the test.
  await writeFile(binary, '#!/bin/sh\necho "electron $*"\nexit "${FAKE_EXIT:-0}"\n');
  await chmod(binary, 0o755);
  await writeFile(helper, '');
  await chmod(helper, 0o755);
  await writeFile(path.join(dir, 'restricted'), '1\n');
  await writeFile(path.join(dir, 'open'), '0\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scripts/start-electron.mjs', () => {
  linuxOnly('restricted user namespaces and no fix: explains both fixes and refuses', async () => {
    const result = await launch(['--check'], {
      STIGMER_USERNS_SYSCTL: path.join(dir, 'restricted'),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot start its sandbox');
    expect(result.stderr).toContain('electron/electron#41066');
    expect(result.stderr).toContain(`profile stigmer-local-dev "${binary}"`);
    expect(result.stderr).toContain(`sudo chmod 4755 "${helper}"`);
    // --no-sandbox appears only as the thing not to do.
    const mentions = result.stderr.split('\n').filter((line) => line.includes('--no-sandbox'));
    expect(mentions).toEqual([expect.stringContaining('turns off the sandbox')]);
  });

  linuxOnly(
    'not in a terminal: never prompts, never starts Electron without its sandbox',
    async () => {
      const result = await launch(['.'], { STIGMER_USERNS_SYSCTL: path.join(dir, 'restricted') });
      expect(result.code).toBe(1);
      expect(result.stdout).not.toContain('electron');
    },
  );

  it('no restriction (sysctl 0 or absent): runs Electron with the arguments and its exit code', async () => {
    const open = await launch(['.', '--hidden'], { STIGMER_USERNS_SYSCTL: path.join(dir, 'open') });
    expect(open).toMatchObject({ code: 0 });
    expect(open.stdout).toContain('electron . --hidden');
    const absent = await launch([], {
      STIGMER_USERNS_SYSCTL: path.join(dir, 'missing'),
      FAKE_EXIT: '7',
    });
    expect(absent.code).toBe(7);
    expect(absent.stdout).toContain('electron .');
  });

  linuxOnly('restricted but an AppArmor profile grants userns to this binary: ok', async () => {
    const profile = path.join(apparmor, 'stigmer-local-dev');
    await writeFile(profile, `profile x "${binary}" flags=(unconfined) {\n  userns,\n}\n`);
    try {
      const result = await launch(['--check'], {
        STIGMER_USERNS_SYSCTL: path.join(dir, 'restricted'),
      });
      expect(result).toMatchObject({ code: 0, stdout: 'ok\n' });
    } finally {
      await rm(profile);
    }
  });

  it('the verdict function: restriction x SUID helper x profile', async () => {
    const mod = (await import(script)) as {
      sandboxVerdict(o: object): string;
    };
    const base = {
      platform: 'linux',
      sysctlText: '1\n',
      suidHelper: false,
      appArmorProfile: false,
    };
    expect(mod.sandboxVerdict(base)).toBe('blocked');
    expect(mod.sandboxVerdict({ ...base, suidHelper: true })).toBe('ok');
    expect(mod.sandboxVerdict({ ...base, appArmorProfile: true })).toBe('ok');
    expect(mod.sandboxVerdict({ ...base, sysctlText: '0' })).toBe('ok');
    expect(mod.sandboxVerdict({ ...base, sysctlText: null })).toBe('ok');
    expect(mod.sandboxVerdict({ ...base, platform: 'darwin' })).toBe('ok');
  });
});
