import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';

/** A fresh Anthropic-shaped key nobody else could print by chance. */
export function canaryKey(tag: string): string {
  return `sk-ant-canary-${tag}-${randomBytes(20).toString('hex')}`;
}

/** Every file under `root` (recursively) whose bytes contain `needle`. */
export async function filesContaining(root: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  const bytes = Buffer.from(needle);
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    if ((await readFile(file)).includes(bytes)) hits.push(file);
  }
  return hits;
}

/** A heap snapshot of the page after a forced GC, as one string (Chrome DevTools Protocol). */
export async function heapSnapshotAfterGc(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  const chunks: string[] = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', (e) => chunks.push(e.chunk));
  await cdp.send('HeapProfiler.enable');
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  await cdp.detach();
  return chunks.join('');
}
