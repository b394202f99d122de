import { open, readdir } from 'node:fs/promises';
import type { LogLine } from '../../../src-shared/model/log';
import { parseRecord } from './file-format';
import { cutMarker, DEFAULT_MAX_LINE_BYTES } from './line-splitter';
import { logFileName, logFilePath } from './rotating-file';

/** Options of readTail. */
export interface ReadTailOptions {
  /** The cut limit the lines were captured with, to rebuild the viewer's marker. */
  maxLineBytes?: number;
}

const BLOCK = 64 * 1024;
const LF = 0x0a;

/**
 * The last `maxLines` lines of a service read back from `<service>.log` and its rotated files,
 * oldest first, for reopening the window or restarting the app. Lines get seq <= 0 (the newest
 * is 0) so they sort before every line captured by this run. Unparseable lines are skipped.
 */
export async function readTail(
  logDir: string,
  service: string,
  maxLines: number,
  options: ReadTailOptions = {},
): Promise<LogLine[]> {
  if (maxLines <= 0) return [];
  const marker = cutMarker(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const chunks: string[][] = [];
  let have = 0;
  for (const n of await rotatedIndexes(logDir, service)) {
    const lines = await readLastLines(logFilePath(logDir, service, n), maxLines - have);
    chunks.unshift(lines);
    have += lines.length;
    if (have >= maxLines) break;
  }
  const out: LogLine[] = [];
  for (const raw of chunks.flat()) {
    const r = parseRecord(raw);
    if (r === null) continue;
    const truncated = r.end === 'cut';
    out.push({
      seq: 0,
      service,
      stream: r.stream,
      time: r.time,
      level: r.level,
      text: truncated ? r.text + marker : r.text,
      truncated,
    });
  }
  const tail = out.slice(-maxLines);
  tail.forEach((line, i) => (line.seq = i - tail.length + 1));
  return tail;
}

/** Indexes of the service's existing files, newest first (0 = `.log`). */
async function rotatedIndexes(logDir: string, service: string): Promise<number[]> {
  const base = logFileName(service);
  let names: string[];
  try {
    names = await readdir(logDir);
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const name of names) {
    if (name === base) found.push(0);
    else if (name.startsWith(`${base}.`)) {
      const n = Number(name.slice(base.length + 1));
      if (Number.isInteger(n) && n > 0) found.push(n);
    }
  }
  return found.sort((a, b) => a - b);
}

/** Up to `n` last complete lines of a file, reading backwards in blocks (files can be 10 MiB). */
async function readLastLines(file: string, n: number): Promise<string[]> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return [];
  }
  try {
    let pos = (await fh.stat()).size;
    const parts: Buffer[] = [];
    let newlines = 0;
    // n lines need n+1 newlines to be sure the first one is whole (the file ends with "\n").
    while (pos > 0 && newlines <= n) {
      const len = Math.min(BLOCK, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      const block = buf.subarray(0, bytesRead);
      for (let i = block.indexOf(LF); i !== -1; i = block.indexOf(LF, i + 1)) newlines++;
      parts.unshift(block);
    }
    const lines = Buffer.concat(parts).toString('utf8').split('\n');
    // The piece after the final "\n" is an unfinished write (or empty); the first is partial
    // unless we reached the start of the file.
    lines.pop();
    if (pos > 0) lines.shift();
    return lines.slice(-n);
  } finally {
    await fh.close();
  }
}
