import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FALLBACK_DIRS,
  fixMacPath,
  mergePath,
  parseShellOutput,
  readLoginShellPath,
} from './shell-path';

describe('mergePath', () => {
  it("puts the shell's entries first, keeps the rest, drops duplicates and empties", () => {
    expect(mergePath('/usr/bin:/bin::/usr/sbin', '/opt/homebrew/bin:/usr/bin:/bin')).toBe(
      '/opt/homebrew/bin:/usr/bin:/bin:/usr/sbin',
    );
  });

  it('adds Homebrew and /usr/local when the shell gave nothing', () => {
    expect(mergePath('/usr/bin:/bin', null)).toBe(['/usr/bin', '/bin', ...FALLBACK_DIRS].join(':'));
    expect(mergePath(undefined, null)).toBe(FALLBACK_DIRS.join(':'));
  });
});

describe('parseShellOutput', () => {
  it('reads between the sentinels, ignoring banners around them', () => {
    expect(parseShellOutput('Welcome!\n__STIGMER_PATH_START__/a:/b__STIGMER_PATH_END__\nbye')).toBe(
      '/a:/b',
    );
    expect(parseShellOutput('no sentinels')).toBeNull();
    expect(parseShellOutput('__STIGMER_PATH_START____STIGMER_PATH_END__')).toBeNull();
    expect(parseShellOutput('__STIGMER_PATH_START__/a')).toBeNull();
  });
});

describe('readLoginShellPath (a fake shell script)', () => {
  let dir = '';
  const shell = (name: string, body: string) => {
    const file = path.join(dir, name);
    return writeFile(file, `#!/bin/sh\n${body}\n`).then(() => chmod(file, 0o755).then(() => file));
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-shell-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the script the shell is given (-ilc) with a PATH set like an rc file does', async () => {
    // A "login shell": prints a banner like a noisy rc file, sets PATH, then runs -c's script.
    const fake = await shell(
      'fake-zsh',
      'echo "motd: hello"\nPATH="/opt/homebrew/bin:$PATH"; export PATH\n[ "$1" = "-ilc" ] || exit 9\nexec /bin/sh -c "$2"',
    );
    const found = await readLoginShellPath({ shell: fake, env: { PATH: '/usr/bin:/bin' } });
    expect(found).toBe('/opt/homebrew/bin:/usr/bin:/bin');
  });

  it('a shell that fails or prints no PATH: null', async () => {
    const broken = await shell('broken', 'echo "syntax error" >&2\nexit 1');
    expect(await readLoginShellPath({ shell: broken, env: { PATH: '/usr/bin' } })).toBeNull();
    expect(
      await readLoginShellPath({ shell: path.join(dir, 'missing'), env: { PATH: '/usr/bin' } }),
    ).toBeNull();
  });

  it('a shell that hangs is killed at the timeout: null', async () => {
    const hang = await shell('hang', 'exec sleep 30');
    expect(await readLoginShellPath({ shell: hang, timeoutMs: 300, env: {} })).toBeNull();
  });

  it('fixMacPath: macOS merges the shell PATH into env; elsewhere leaves it', async () => {
    const fake = await shell(
      'fake-bash',
      'PATH="/usr/local/bin:$PATH"; export PATH\nexec /bin/sh -c "$2"',
    );
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin', SHELL: fake };
    expect(await fixMacPath('darwin', env)).toMatch(/from the login shell/);
    expect(env.PATH).toBe('/usr/local/bin:/usr/bin:/bin');

    const linuxEnv: NodeJS.ProcessEnv = { PATH: '/usr/bin', SHELL: fake };
    await fixMacPath('linux', linuxEnv);
    expect(linuxEnv.PATH).toBe('/usr/bin');

    const noShell: NodeJS.ProcessEnv = { PATH: '/usr/bin', SHELL: path.join(dir, 'missing') };
    expect(await fixMacPath('darwin', noShell)).toMatch(/did not report a PATH/);
    expect(noShell.PATH).toBe(['/usr/bin', ...FALLBACK_DIRS].join(':'));
  });
});
