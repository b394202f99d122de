import { defineConfig } from 'vite';
import { resolve } from 'node:path';
import { builtinModules } from 'node:module';

const root = import.meta.dirname;

/** Bundles the capture core for `npm run bench` (plain Node 20, ES module, node builtins external). */
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
      entry: { capture: resolve(root, 'capture-entry.ts') },
      formats: ['es'],
    },
    rollupOptions: {
      external: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
      output: { entryFileNames: '[name].mjs' },
    },
  },
  ssr: { noExternal: true },
});
