import { defineConfig } from 'vite';
import { resolve } from 'node:path';
import { builtinModules } from 'node:module';

const root = import.meta.dirname;

/** Bundles the capture core and its worker for `npm run bench` (plain Node 20, ES modules, node builtins external). */
export default defineConfig({
  logLevel: 'warn',
  build: {
    // Under bench/results/, which eslint and prettier already ignore (a bundle is not our source).
    outDir: resolve(root, 'results/.build'),
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    ssr: true,
    lib: {
      // The worker beside the bundle, as in dist/main: LogCapture in worker mode loads it by URL.
      entry: {
        capture: resolve(root, 'capture-entry.ts'),
        'capture-worker': resolve(root, '../src-main/core/logs/capture-worker.ts'),
      },
      formats: ['es'],
    },
    rollupOptions: {
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
      output: { entryFileNames: '[name].mjs' },
    },
  },
  ssr: { noExternal: true },
});
