import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readEnv } from './base-env';
import type { ServiceSpec } from './types';

/**
 * The agent-runner the packaged app carries (scripts/stage-runner.mjs stages the pinned
 * @stigmer/runner-slim; electron-builder ships it as <resources>/runner). It is the last place
 * discovery looks, so a runner the user installed or set always wins, and the row says which one
 * runs: "bundled 3.8.0" or the path.
 */

/** Points the browser host and tests at a staged tree (the Electron shell passes the option). */
export const BUNDLED_RUNNER_ENV = 'STIGMER_LOCAL_BUNDLED_RUNNER';

/** The package the app bundles, as it lies under `<dir>/node_modules`. */
export const BUNDLED_RUNNER_PACKAGE = '@stigmer/runner-slim';

/** A usable bundled runner: its script and what its package says. */
export interface BundledRunner {
  dir: string;
  /** `<dir>/node_modules/@stigmer/runner-slim/main.js` */
  script: string;
  version: string;
  /** Its package's engines.node (">=22.13"), or null when it declares none. */
  enginesNode: string | null;
}

/** What the spec remembers so the row can name it: the bundled script and its version. */
export interface BundledMark {
  version: string;
  script: string;
}

/** The tree to use: the host's option, else $STIGMER_LOCAL_BUNDLED_RUNNER; null for none. */
export function bundledRunnerDir(
  option: string | null | undefined,
  appEnv: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): string | null {
  const chosen = option?.trim() || readEnv(appEnv, BUNDLED_RUNNER_ENV, platform)?.trim();
  return chosen ? path.resolve(chosen) : null;
}

/**
 * Reads the tree at `dir`; a problem (as a searched-list note) when it holds no runner, e.g. a
 * build made with STIGMER_LOCAL_SKIP_RUNNER=1 or a dev run before `npm run runner:stage`.
 */
export async function readBundledRunner(dir: string): Promise<BundledRunner | { problem: string }> {
  const pkgDir = path.join(dir, 'node_modules', ...BUNDLED_RUNNER_PACKAGE.split('/'));
  const script = path.join(pkgDir, 'main.js');
  try {
    if (!(await stat(script)).isFile()) return { problem: `${script} is not a file` };
  } catch {
    return { problem: `${script} not found (this build carries no runner)` };
  }
  let manifest: { version?: unknown; engines?: { node?: unknown } };
  try {
    manifest = JSON.parse(await readFile(path.join(pkgDir, 'package.json'), 'utf8'));
  } catch {
    return {
      problem: `${pkgDir}/package.json is missing or not JSON (the bundled tree is damaged)`,
    };
  }
  if (typeof manifest.version !== 'string') {
    return { problem: `${pkgDir}/package.json has no version (the bundled tree is damaged)` };
  }
  const engines = manifest.engines?.node;
  return {
    dir,
    script,
    version: manifest.version,
    enginesNode: typeof engines === 'string' ? engines : null,
  };
}

/**
 * Which program runs a service, as its row says it: "bundled 3.8.0" while the spec still runs
 * the bundled script (a stack file may have replaced the command), else the script or
 * executable's path; null when nothing was found.
 */
export function programLabel(
  spec: Pick<ServiceSpec, 'command' | 'args' | 'runtime' | 'bundled'>,
): string | null {
  const script = spec.runtime?.script ?? null;
  if (spec.bundled && script === spec.bundled.script) return `bundled ${spec.bundled.version}`;
  return script ?? spec.command;
}
