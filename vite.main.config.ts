import { defineConfig } from 'vite';
import { resolve } from 'node:path';
import { builtinModules } from 'node:module';
import pkg from './package.json' with { type: 'json' };

const root = import.meta.dirname;
const external = [
  'electron',
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  ...Object.keys(pkg.dependencies),
];

/**
 * Main-process builds. `--mode preload` builds the sandboxed preload as one CommonJS file (dist/main/preload.cjs)
 * (a sandboxed preload can require only `electron`); the default mode builds the Electron
 * main entry and the browser host as ES modules for Node 20+ / Electron's Node 22+.
 */
export default defineConfig(({ mode }) => {
  const preload = mode === 'preload';
  // `--mode worker`: the log-capture worker as one self-contained ES module (.mjs: it is unpacked
  // from the asar, away from package.json's "type"), so it shares no chunk with main.
  const worker = mode === 'worker';
  return {
    build: {
      outDir: resolve(root, 'dist/main'),
      emptyOutDir: !preload && !worker,
      target: 'node20',
      minify: false,
      sourcemap: true,
      ssr: true,
      lib: {
        entry: (preload
          ? { preload: resolve(root, 'src-main/shell/preload.ts') }
          : worker
            ? { 'capture-worker': resolve(root, 'src-main/core/logs/capture-worker.ts') }
            : {
                main: resolve(root, 'src-main/shell/main.ts'),
                'browser-host': resolve(root, 'src-main/browser-host/cli.ts'),
                // `stigmer-local` (package.json bin): ESM with #!/usr/bin/env node.
                cli: resolve(root, 'src-main/cli/main.ts'),
              }) as Record<string, string>,
        formats: [preload ? 'cjs' : 'es'],
      },
      rollupOptions: {
        external: preload ? ['electron'] : external,
        // Main and browser host are ES modules ("type": "module"); the preload must be CommonJS.
        output: { entryFileNames: preload ? '[name].cjs' : worker ? '[name].mjs' : '[name].js' },
      },
    },
    ssr: { noExternal: preload ? true : [] },
    // Updates (issue 14, src-main/shell/updater.ts): on only in a release build, which sets
    // STIGMER_LOCAL_UPDATES=1; STIGMER_LOCAL_UPDATE_URL bakes in a generic feed instead of GitHub.
    define: {
      __STIGMER_LOCAL_UPDATES__: JSON.stringify(process.env.STIGMER_LOCAL_UPDATES === '1'),
      __STIGMER_LOCAL_UPDATE_URL__: JSON.stringify(process.env.STIGMER_LOCAL_UPDATE_URL ?? ''),
    },
  };
});
