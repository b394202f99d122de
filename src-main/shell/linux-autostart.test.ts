import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUTOSTART_FILE,
  autostartArgv,
  autostartDir,
  execLine,
  quoteExecArg,
  setLinuxAutostart,
} from './linux-autostart';

let dir: string;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('XDG autostart entry', () => {
  it('uses $XDG_CONFIG_HOME when absolute, else ~/.config', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/u')).toBe('/x/cfg/autostart');
    expect(autostartDir({ XDG_CONFIG_HOME: 'rel' }, '/home/u')).toBe('/home/u/.config/autostart');
    expect(autostartDir({}, '/home/u')).toBe('/home/u/.config/autostart');
  });

  it('quotes Exec arguments per the Desktop Entry spec', () => {
    expect(quoteExecArg('/opt/Stigmer Local/stigmer-local')).toBe(
      '"/opt/Stigmer Local/stigmer-local"',
    );
    expect(quoteExecArg('--hidden')).toBe('--hidden');
    expect(quoteExecArg('/a/$HOME`x`"q"\\b')).toBe('"/a/\\$HOME\\`x\\`\\"q\\"\\\\b"');
    expect(quoteExecArg('/a/100%')).toBe('/a/100%%');
    // In the file, string-value escaping doubles every backslash once more.
    expect(execLine(['/a b/"c"', '--hidden'])).toBe('"/a b/\\\\"c\\\\"" --hidden');
  });

  it('runs the AppImage itself when started from one', () => {
    expect(
      autostartArgv('/tmp/.mount_x/stigmer', { APPIMAGE: '/home/u/Stigmer.AppImage' }),
    ).toEqual(['/home/u/Stigmer.AppImage', '--hidden']);
    expect(autostartArgv('/usr/lib/stigmer/stigmer', {})).toEqual([
      '/usr/lib/stigmer/stigmer',
      '--hidden',
    ]);
  });

  it('writes the entry, and removes it (also when it is already gone)', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'stigmer-autostart-'));
    const opts = { env: {}, homeDir: dir, execPath: '/opt/Stigmer Local/stigmer-local' };
    const file = await setLinuxAutostart(true, opts);
    expect(file).toBe(path.join(dir, '.config', 'autostart', AUTOSTART_FILE));
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')).toEqual([
      '[Desktop Entry]',
      'Type=Application',
      'Version=1.0',
      'Name=Stigmer Local',
      'Comment=Runs your local Stigmer stack from the tray',
      'Exec="/opt/Stigmer Local/stigmer-local" --hidden',
      'Terminal=false',
      'X-GNOME-Autostart-enabled=true',
      '',
    ]);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    await setLinuxAutostart(false, opts);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    await setLinuxAutostart(false, opts);
  });
});
