import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_DIR_MODE, ensurePrivateDir } from '../private-files';
import { defaultStack, externalTemporalAddress, workspaceDir } from './default-stack';
import { discoverBinaries, type BinarySettings, type NodeRuntime } from './discovery';
import { StackFileError } from './stack-file-errors';
import { readStackFile } from './stack-file';
import { applyStackFile } from './stack-merge';
import type { StackSpec } from './types';

/** Inputs of the stack loader; the composition root passes real paths, tests pass temp dirs. */
export interface StackLoaderOptions extends NodeRuntime {
  /** Holds the stack file (`stack.yaml` or `stack.json`). */
  userDataDir: string;
  /** Holds the services' data (temporal.db, server DB, runner workspace). Default: userDataDir/data. */
  dataDir?: string;
  /** The app's env: source of the base child env, PATH and the discovery overrides. */
  appEnv: NodeJS.ProcessEnv;
  /** Binary paths from Settings. */
  settings?: BinarySettings;
  homeDir: string;
  platform?: NodeJS.Platform;
  /** The runner tree the app carries (bundled-runner.ts); default $STIGMER_LOCAL_BUNDLED_RUNNER. */
  bundledRunnerDir?: string | null;
}

/** The stack file's whereabouts and, when it was rejected, why (advice lines). */
export interface StackFileStatus {
  path: string;
  exists: boolean;
  error: string | null;
}

/** What `load()` returns: the spec to run and the state of the file behind it. */
export interface StackLoadResult {
  spec: StackSpec;
  file: StackFileStatus;
}

/**
 * Builds the StackSpec from the default stack, binary discovery and the user's stack file.
 * Keeps the last good spec: a bad edit of the file is reported, never applied.
 */
export class StackLoader {
  private lastGoodSpec: StackSpec | null = null;
  private binarySettings: BinarySettings;

  /** Creates a loader; nothing is read until `load()`. */
  constructor(private readonly options: StackLoaderOptions) {
    this.binarySettings = { ...options.settings };
  }

  /** New program locations from Settings; used from the next `load()`. */
  setBinarySettings(settings: BinarySettings): void {
    this.binarySettings = { ...settings };
  }

  /** The data dir in use. */
  get dataDir(): string {
    return this.options.dataDir ?? path.join(this.options.userDataDir, 'data');
  }

  /** The last spec built from a valid (or absent) stack file, or null before the first. */
  get lastGood(): StackSpec | null {
    return this.lastGoodSpec ? structuredClone(this.lastGoodSpec) : null;
  }

  /** Reads everything again (binaries may have been installed, the file edited). */
  async load(): Promise<StackLoadResult> {
    const o = this.options;
    const platform = o.platform ?? process.platform;
    const dataDir = this.dataDir;
    // Children fail with a confusing ENOENT when their cwd is missing, so create the dirs up front;
    // the services' databases live here, so only the user may read them.
    await ensurePrivateDir(dataDir);
    // Inside the private data dir; the runner's own files there are left as it made them.
    await mkdir(workspaceDir(dataDir), { recursive: true, mode: PRIVATE_DIR_MODE });

    const runtime = {
      nodeExecutable: o.nodeExecutable,
      nodeEnv: o.nodeEnv,
      nodeVersion: o.nodeVersion,
      nodeSetting: this.binarySettings.node ?? null,
    };
    const binaries = await discoverBinaries({
      ...runtime,
      settings: this.binarySettings,
      appEnv: o.appEnv,
      homeDir: o.homeDir,
      platform,
      bundledRunnerDir: o.bundledRunnerDir ?? null,
    });
    const defaults = defaultStack({ dataDir, appEnv: o.appEnv, binaries, platform });
    const read = await readStackFile(o.userDataDir);
    const status = (error: string | null): StackFileStatus => ({
      path: read.path,
      exists: read.exists,
      error,
    });

    if (read.error !== null) return this.fallback(defaults, status(read.error));
    if (read.config === null) return this.accept(defaults, status(null));
    try {
      const spec = await applyStackFile(defaults, read.config, {
        ...runtime,
        fileName: path.basename(read.path),
        fileDir: path.dirname(read.path),
        appEnv: o.appEnv,
        homeDir: o.homeDir,
        platform,
        launchArgCounts: Object.fromEntries(
          Object.entries(binaries).map(([name, bin]) => [name, bin.args.length]),
        ),
        external: externalTemporalAddress(o.appEnv, platform) ? ['temporal'] : [],
      });
      return this.accept(spec, status(null));
    } catch (error) {
      if (error instanceof StackFileError) return this.fallback(defaults, status(error.message));
      // A value the checks did not foresee is still the file's problem: report it on the file and
      // keep the last good stack, never fail the start or the reload.
      const name = path.basename(read.path);
      const why = error instanceof Error ? error.message : String(error);
      return this.fallback(
        defaults,
        status(
          `${name}: could not be applied (${why}); check the file against docs/stack-file.md, then reload.`,
        ),
      );
    }
  }

  private accept(spec: StackSpec, file: StackFileStatus): StackLoadResult {
    this.lastGoodSpec = structuredClone(spec);
    return { spec, file };
  }

  private fallback(defaults: StackSpec, file: StackFileStatus): StackLoadResult {
    const spec = this.lastGoodSpec ? structuredClone(this.lastGoodSpec) : defaults;
    return { spec, file };
  }
}

/** One-shot convenience: a fresh loader's first `load()`. */
export function loadStack(options: StackLoaderOptions): Promise<StackLoadResult> {
  return new StackLoader(options).load();
}
