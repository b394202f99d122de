import { lstat, mkdir, mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { browserCliAdvice, installCliLink } from './cli-install';
import { cliSocketPath, socketPathProblem } from './socket-path';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'stigmer-cli-install-'));
});
afterEach(async () => rm(home, { recursive: true, force: true }));

describe('Install command line tool', () => {
  it('links ~/.local/bin/stigmer-local to the launcher on Linux, again without harm, and says when PATH lacks it', async () => {
    const launcher = join(home, 'app/resources/bin/stigmer-local');
    const plan = { platform: 'linux' as const, homeDir: home, launcher, pathEnv: '/usr/bin' };
    const first = await installCliLink(plan);
    const link = join(home, '.local/bin/stigmer-local');
    expect(first).toMatchObject({ installed: true, path: link });
    expect(await readlink(link)).toBe(launcher);
    expect(first.advice).toContain('is not on your PATH');
    const again = await installCliLink({
      ...plan,
      pathEnv: `/usr/bin:${join(home, '.local/bin')}`,
    });
    expect(again.advice).toContain('Already installed. Open a new terminal');
    // A link to an older copy of the app is replaced.
    const moved = await installCliLink({ ...plan, launcher: join(home, 'new/stigmer-local') });
    expect(moved.installed).toBe(true);
    expect(await readlink(link)).toBe(join(home, 'new/stigmer-local'));
  });

  it('leaves a file it did not make alone and says what to do', async () => {
    await mkdir(join(home, '.local/bin'), { recursive: true });
    await writeFile(join(home, '.local/bin/stigmer-local'), '#!/bin/sh\necho mine\n');
    const result = await installCliLink({
      platform: 'linux',
      homeDir: home,
      launcher: '/opt/x/stigmer-local',
      pathEnv: '',
    });
    expect(result.installed).toBe(false);
    expect(result.advice).toContain('is not a link this app made; remove it');
    expect((await lstat(join(home, '.local/bin/stigmer-local'))).isSymbolicLink()).toBe(false);
  });

  it('on Windows and in the browser host it installs nothing and gives the way to run it', async () => {
    const win = await installCliLink({
      platform: 'win32',
      homeDir: home,
      launcher: 'C:\\App\\resources\\resources\\bin\\stigmer-local.cmd',
      pathEnv: '',
    });
    expect(win).toMatchObject({ installed: false });
    expect(win.advice).toContain('user PATH');
    const browser = browserCliAdvice('/repo/dist/main/cli.js');
    expect(browser.advice).toContain('npm link');
    expect(browser.advice).toContain(`alias stigmer-local='node "/repo/dist/main/cli.js"'`);
  });

  it('names the socket in the data dir, a hashed pipe on Windows, and refuses a too-long path', () => {
    expect(cliSocketPath('/home/a/.config/Stigmer Local', 'linux')).toBe(
      '/home/a/.config/Stigmer Local/run/cli.sock',
    );
    const pipe = cliSocketPath('C:\\Users\\a\\AppData\\Roaming\\Stigmer Local', 'win32');
    expect(pipe).toMatch(/^\\\\\.\\pipe\\stigmer-local-[0-9a-f]{16}$/);
    expect(cliSocketPath('C:\\USERS\\A\\APPDATA\\ROAMING\\STIGMER LOCAL', 'win32')).toBe(pipe);
    expect(socketPathProblem(`/${'x'.repeat(120)}/run/cli.sock`, 'linux')).toContain(
      'Use a shorter data folder',
    );
    expect(socketPathProblem('/tmp/a/run/cli.sock', 'linux')).toBeNull();
  });
});
