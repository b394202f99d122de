// Memory of the capture core with N buffered lines of one service. Run in a fresh process with
// `node --expose-gc bench/memory.mjs [lines]` once bench/run.mjs has built the bundle of the core
// (bench/results/.build); prints JSON.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LogPipeline } from './results/.build/capture.mjs';
import { lineGenerator } from './lines.mjs';

const lines = Number(process.argv[2] ?? 100_000);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const gc = globalThis.gc;
const settle = () => {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage();
};

const dir = await mkdtemp(path.join(os.tmpdir(), 'stigmer-bench-mem-'));
const next = lineGenerator(7);
const before = settle();
const pipeline = new LogPipeline({ logDir: dir, ringCapacity: lines, maxFileBytes: 2 ** 30 });
let bytes = 0;
for (let n = 0; n < lines;) {
  let s = '';
  while (n < lines && s.length < 64 * 1024) {
    s += next() + '\n';
    n++;
  }
  const chunk = Buffer.from(s);
  bytes += chunk.length;
  pipeline.write('svc', 'stdout', chunk);
}
await pipeline.flush();
const after = settle();
const buffered = pipeline.tail('svc').length;
const mb = (b) => b / 1024 / 1024;
console.log(
  JSON.stringify({
    lines,
    buffered,
    textMB: mb(bytes),
    heapUsedMB: mb(after.heapUsed - before.heapUsed),
    rssMB: mb(after.rss - before.rss),
    externalMB: mb(after.external + after.arrayBuffers - before.external - before.arrayBuffers),
  }),
);
await pipeline.close();
await rm(dir, { recursive: true, force: true });
