import { lstat, mkdir, readlink, symlink, unlink } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { CliInstallResult } from '../../src-shared/ipc/contract';

/** Where the packaged app's launcher is and where a link to it should go. */
export interface CliInstallPlan {
  platform: NodeJS.Platform;
  homeDir: string;
  /** The launcher script shipped in resources/bin (sh on Linux/macOS, .cmd on Windows). */
  launcher: string;
  /** The user's PATH, to say whether the link's folder is on it. */
  pathEnv: string;
}

/**
 * "Install command line tool" in the desktop app: a symlink to the packaged launcher in
 * ~/.local/bin (Linux) or /usr/local/bin (macOS, where it is often writable; when not, the
 * command to run with sudo is given rather than an OS password prompt). On Windows changing
 * the user PATH is out of scope: the answer says which folder to add.
 */
export async function installCliLink(plan: CliInstallPlan): Promise<CliInstallResult> {
  if (plan.platform === 'win32') {
    return {
      installed: false,
      path: plan.launcher,
      advice: `Add the folder of ${plan.launcher} to your user PATH (Settings → System → About → Advanced system settings → Environment Variables), then open a new terminal and run stigmer-local status.`,
    };
  }
  const dir = plan.platform === 'darwin' ? '/usr/local/bin' : join(plan.homeDir, '.local/bin');
  const link = join(dir, 'stigmer-local');
  const onPath = plan.pathEnv.split(delimiter).includes(dir);
  const pathNote = onPath
    ? 'Open a new terminal and run stigmer-local status.'
    : `${dir} is not on your PATH: add it (for example export PATH="${dir}:$PATH" in ~/.profile), then open a new terminal.`;
  try {
    await mkdir(dir, { recursive: true });
    const existing = await lstat(link).catch(() => null);
    if (existing) {
      const target = existing.isSymbolicLink() ? await readlink(link) : null;
      if (target === plan.launcher) {
        return { installed: true, path: link, advice: `Already installed. ${pathNote}` };
      }
      if (target === null) {
        return {
          installed: false,
          path: link,
          advice: `${link} exists and is not a link this app made; remove it, then try again.`,
        };
      }
      await unlink(link); // a link to an older copy of the app
    }
    await symlink(plan.launcher, link);
    return {
      installed: true,
      path: link,
      advice: `Linked ${link} → ${plan.launcher}. ${pathNote}`,
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return {
      installed: false,
      path: link,
      advice: `Could not create ${link} (${code}). Run this in a terminal instead: sudo ln -sf "${plan.launcher}" "${link}"`,
    };
  }
}

/** The browser host cannot put anything on PATH: it names its CLI script and how to link it. */
export function browserCliAdvice(cliScript: string): CliInstallResult {
  return {
    installed: false,
    path: cliScript,
    advice: `Run the CLI with: node "${cliScript}" status. To have stigmer-local on PATH, run npm link in the app's folder, or add alias stigmer-local='node "${cliScript}"' to your shell profile.`,
  };
}
