import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

/** Renderer build: the React app plus the browser-host bridge (a separate, hash-free entry). */
export default defineConfig({
  root: resolve(import.meta.dirname, 'src-renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: resolve(import.meta.dirname, 'dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'src-renderer/index.html'),
        'browser-bridge': resolve(import.meta.dirname, 'src-renderer/browser-bridge.ts'),
      },
      output: {
        entryFileNames: (chunk) =>
          chunk.name === 'browser-bridge' ? 'browser-bridge.js' : 'assets/[name]-[hash].js',
      },
    },
  },
});
