import { execFile } from 'node:child_process';

// macOS apps started from Finder, the Dock or a login item get launchd's PATH
// (/usr/bin:/bin:/usr/sbin:/sbin), not the one the user's shell sets up, so Homebrew and
// /usr/local programs look "Not installed" and children get the short PATH. Once at start we ask
// the login shell for its PATH (the approach of fix-path / shell-env) and merge it in.

/** Directories added when the login shell cannot be asked (Apple silicon, then Intel Homebrew). */
export const FALLBACK_DIRS = ['/opt/homebrew/bin', '/usr/local/bin'];

const START = '__STIGMER_PATH_START__';
const END = '__STIGMER_PATH_END__';

/**
 * The PATH to use: the shell's entries first (the user's order), then the ones only the current
 * PATH has, then the fallbacks when the shell gave nothing; empty entries and duplicates dropped.
 */
export function mergePath(current: string | undefined, fromShell: string | null): string {
  const split = (value: string | null | undefined) =>
    (value ?? '').split(':').filter((entry) => entry.trim() !== '');
  const merged = [
    ...split(fromShell),
    ...split(current),
    ...(fromShell === null ? FALLBACK_DIRS : []),
  ];
  return [...new Set(merged)].join(':');
}

/**
 * The PATH between the sentinels of the shell's output (rc files may print banners before or
 * after it), or null when the sentinels are missing or the value is empty.
 */
export function parseShellOutput(stdout: string): string | null {
  const start = stdout.lastIndexOf(START);
  if (start === -1) return null;
  const from = start + START.length;
  const end = stdout.indexOf(END, from);
  if (end === -1) return null;
  const value = stdout.slice(from, end).trim();
  return value === '' ? null : value;
}

/** Options of the runner; defaults are the real login shell. */
export interface LoginShellOptions {
  /** $SHELL, else /bin/zsh (the macOS default). */
  shell?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Run `$SHELL -ilc` (interactive login: it reads .zprofile and .zshrc, where Homebrew's
 * shellenv lives) and return the PATH it prints, or null when it fails or times out (a shell
 * waiting on a prompt or a slow rc file must not hold up the app).
 */
export function readLoginShellPath(options: LoginShellOptions = {}): Promise<string | null> {
  const env = options.env ?? process.env;
  const shell = options.shell ?? (env.SHELL || '/bin/zsh');
  // Braces: `$PATH__STIGMER…` would read as one (unset) variable name.
  const script = `printf '%s' "${START}\${PATH}${END}"`;
  return new Promise((resolve) => {
    execFile(
      shell,
      ['-ilc', script],
      {
        timeout: options.timeoutMs ?? 5_000,
        killSignal: 'SIGKILL',
        // No terminal: oh-my-zsh and friends skip their update prompts; no input to wait for.
        env: { ...env, DISABLE_AUTO_UPDATE: 'true', ZSH_DISABLE_COMPFIX: 'true' },
        encoding: 'utf8',
        maxBuffer: 1024 * 1024,
      },
      (error, stdout) => {
        // A shell that printed the PATH and then exited non-zero (a failing rc line) still counts.
        void error;
        resolve(parseShellOutput(String(stdout ?? '')));
      },
    );
  });
}

/**
 * On macOS, set process.env.PATH from the login shell (once, before the core looks for
 * programs); elsewhere leave it. Returns what it did, for the log.
 */
export async function fixMacPath(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  read: () => Promise<string | null> = () => readLoginShellPath({ env }),
): Promise<string> {
  if (platform !== 'darwin') return 'PATH left as it is (not macOS).';
  const fromShell = await read();
  env.PATH = mergePath(env.PATH, fromShell);
  return fromShell === null
    ? `The login shell did not report a PATH; added ${FALLBACK_DIRS.join(', ')}.`
    : 'PATH taken from the login shell.';
}
