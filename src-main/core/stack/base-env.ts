/** Variables copied from the app's env into every child: enough to run, nothing more. */
export const BASE_ENV_NAMES = ['PATH', 'HOME', 'USER', 'LANG', 'TMPDIR', 'TMP', 'TEMP'] as const;

/** Extra variables Windows programs need to start at all. */
export const WINDOWS_BASE_ENV_NAMES = ['SystemRoot', 'USERPROFILE', 'PATHEXT'] as const;

/** Reads `name` from an env object; on Windows names are case-insensitive (`Path` vs `PATH`). */
export function readEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const direct = env[name];
  if (direct !== undefined || platform !== 'win32') return direct;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(env)) {
    if (key.toLowerCase() === lower) return value;
  }
  return undefined;
}

/**
 * The minimal environment every child starts from, taken from the app's env.
 * Deliberately an allowlist: the app's env may hold keys or NODE_OPTIONS that must not leak.
 */
export function baseEnv(
  appEnv: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): Record<string, string> {
  const names: readonly string[] =
    platform === 'win32' ? [...BASE_ENV_NAMES, ...WINDOWS_BASE_ENV_NAMES] : BASE_ENV_NAMES;
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = readEnv(appEnv, name, platform);
    if (value !== undefined && value !== '') env[name] = value;
  }
  return env;
}

/** True for names that look like a secret key; such names never go into a spec's env. */
export function isSecretName(name: string): boolean {
  return /_API_KEY$/i.test(name);
}
