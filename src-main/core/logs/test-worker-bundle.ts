import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Builds the capture worker for tests, the way `npm run build` does (vite.main.config.ts,
 * `--mode worker`), into a temp dir. Why: under vitest the TypeScript source cannot be a
 * Worker's entry on Node 20 (no type stripping there, and vitest's transform does not reach
 * into worker threads), and testing the real bundle also tests the build that ships.
 */
export async function buildCaptureWorker(): Promise<URL> {
  const { build } = await import('vite');
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-capture-worker-'));
  await build({
    configFile: path.join(root, 'vite.main.config.ts'),
    mode: 'worker',
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  return pathToFileURL(path.join(outDir, 'capture-worker.mjs'));
}
