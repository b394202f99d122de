/** What the bench needs from the core, bundled by vite.bench.config.ts (there is no TS runner). */
export { LogCapture, LogPipeline, parseRecord, rebuildOutput } from '../src-main/core/logs';
