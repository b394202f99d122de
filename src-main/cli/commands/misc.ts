import { spawn } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DiagnosticsSaved } from '../../../src-shared/model/key-import';
import { EXIT, UsageError, valueOf, type CommandContext } from '../context';
import { json } from '../output';

/** `diagnostics [-o FILE]`: the app writes the bundle into its data dir; -o copies it to FILE. */
export async function diagnosticsCommand(ctx: CommandContext): Promise<number> {
  if (ctx.args.positionals.length) throw new UsageError('diagnostics takes no names; use -o FILE.');
  const client = await ctx.connect();
  try {
    const saved = valueOf(await client.call<DiagnosticsSaved>('diagnostics:save'));
    let path = saved.path;
    if (ctx.args.output) {
      path = resolve(ctx.args.output);
      await copyFile(saved.path, path);
    }
    if (ctx.args.json) ctx.out.out(json({ ...saved, path }));
    else
      ctx.out.out(
        `Saved ${path} (${saved.files} files, ${saved.bytes} bytes). Every key is redacted; attach it to your support request.\n`,
      );
    return EXIT.ok;
  } finally {
    client.close();
  }
}

/** A desktop to open a URL on: macOS, Windows, or Linux with a display. */
function desktopOpener(): string[] | null {
  if (process.platform === 'darwin') return ['open'];
  if (process.platform === 'win32') return ['cmd', '/c', 'start', '""'];
  return process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? ['xdg-open'] : null;
}

/** `open`: the desktop app shows its window; the browser host's URL is printed (and opened where there is a desktop). */
export async function openCommand(ctx: CommandContext): Promise<number> {
  const client = await ctx.connect();
  try {
    const shown = valueOf(await client.call<{ shown: boolean; url: string | null }>('app:show'));
    const opener = shown.url ? desktopOpener() : null;
    if (opener && shown.url) {
      const [cmd, ...rest] = opener;
      // argv only, never a shell; the URL's token is the user's own, for their own browser.
      const child = spawn(cmd!, [...rest, shown.url], { detached: true, stdio: 'ignore' });
      child.on('error', () => undefined);
      child.unref();
    }
    if (ctx.args.json) ctx.out.out(json({ ...shown, opened: opener !== null }));
    else if (shown.shown) ctx.out.out('The Stigmer Local window is open.\n');
    else ctx.out.out(`Open this URL in a browser:\n${shown.url ?? '(the host has no URL yet)'}\n`);
    return EXIT.ok;
  } finally {
    client.close();
  }
}
