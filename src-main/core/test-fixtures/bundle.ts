import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import pkg from '../../../package.json' with { type: 'json' };

const root = resolve(import.meta.dirname, '../../..');

/** Built entries in a temp folder; `dispose` removes it. */
export interface Bundle {
  /** Absolute path of the built file of entry `name` (run it with `node`). */
  file(name: string): string;
  dispose(): Promise<void>;
}

/**
 * Bundle TypeScript entries the way vite.main.config.ts builds the app (ES modules for Node 20,
 * dependencies left as imports), so a test can run them as real, separate `node` processes.
 * The output sits under node_modules/.cache so those imports resolve to the project's packages.
 */
export async function bundleEntries(entries: Record<string, string>): Promise<Bundle> {
  const outDir = join(
    root,
    'node_modules',
    '.cache',
    `stigmer-test-${randomBytes(6).toString('hex')}`,
  );
  await mkdir(outDir, { recursive: true });
  await build({
    configFile: false,
    logLevel: 'silent',
    root,
    build: {
      outDir,
      emptyOutDir: false,
      target: 'node20',
      minify: false,
      ssr: true,
      lib: { entry: entries, formats: ['es'] },
      rollupOptions: {
        external: [
          'electron',
          ...builtinModules,
          ...builtinModules.map((m) => `node:${m}`),
          ...Object.keys(pkg.dependencies),
        ],
        output: { entryFileNames: '[name].js' },
      },
    },
    ssr: { noExternal: [] },
  });
  return {
    file: (name) => join(outDir, `${name}.js`),
    dispose: () => rm(outDir, { recursive: true, force: true }),
  };
}
