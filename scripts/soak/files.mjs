// File-level invariants, read incrementally so each step only reads what was written since
// the last one: no torn line in any log file, no canary key value in any file.
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const STREAMS = new Set(['stdout', 'stderr', 'system']);
const LEVELS = new Set(['trace', 'debug', 'info ', 'warn ', 'error', 'fatal', '-    ']);
const ENDS = new Set(['n', 'r', 'c', '+', '$']);

/**
 * True when `line` is a record of src-main/core/logs/file-format.ts: a 24-character ISO time,
 * the stream, a 5-character level, the end code, then the text (40-character prefix).
 */
export function isLogRecord(line) {
  if (line.length < 40 || line[24] !== ' ' || line[31] !== ' ') return false;
  if (line[37] !== ' ' || line[39] !== ' ') return false;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(line.slice(0, 24))) return false;
  return STREAMS.has(line.slice(25, 31)) && LEVELS.has(line.slice(32, 37)) && ENDS.has(line[38]);
}

async function readRange(file, from, to) {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(to - from);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function filesUnder(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

/** Checks every complete line of every `*.log*` file in the log dir, once each. */
export class LogLineChecker {
  /** inode -> bytes already checked (a rotated file keeps its inode under its new name). */
  #done = new Map();
  lines = 0;

  /** Torn lines written since the last call; with `final`, an unterminated tail counts too. */
  async check(logDir, { final = false } = {}) {
    const torn = [];
    for (const file of await filesUnder(logDir)) {
      if (!/\.log(\.\d+)?$/.test(file)) continue;
      const info = await stat(file).catch(() => null);
      if (!info) continue;
      let from = this.#done.get(info.ino) ?? 0;
      if (info.size < from) from = 0; // truncated or replaced: read it again
      if (info.size === from) continue;
      const bytes = await readRange(file, from, info.size).catch(() => null);
      if (!bytes) continue;
      const end = bytes.lastIndexOf(0x0a) + 1;
      const text = bytes.subarray(0, end).toString('utf8');
      const lines = text.length > 0 ? text.slice(0, -1).split('\n') : [];
      lines.forEach((line, i) => {
        this.lines++;
        if (!isLogRecord(line)) torn.push({ file, line: line.slice(0, 200), index: i });
      });
      if (final && end < bytes.length) {
        torn.push({ file, line: `(unterminated) ${bytes.subarray(end).toString().slice(0, 200)}` });
      }
      this.#done.set(info.ino, from + end);
    }
    return torn;
  }
}

/** Looks for any canary key value in files (read incrementally) and in the host's output. */
export class CanaryChecker {
  needles = [];
  #files = new Map();
  #outputs = new WeakMap();

  /** A new secret to look for from now on (added before it is sent to the host). */
  add(value) {
    this.needles.push(Buffer.from(value));
  }

  #hits(bytes) {
    return this.needles
      .filter((n) => bytes.includes(n))
      .map((n) => `${n.toString().slice(0, 18)}…`);
  }

  /** Files under `dir` that gained a canary value since the last call. */
  async checkFiles(dir) {
    const leaks = [];
    const overlap = Math.max(0, ...this.needles.map((n) => n.length));
    for (const file of await filesUnder(dir)) {
      const info = await stat(file).catch(() => null);
      if (!info) continue;
      const before = this.#files.get(file);
      if (
        before &&
        before.ino === info.ino &&
        before.size === info.size &&
        before.mtimeMs === info.mtimeMs
      ) {
        continue;
      }
      const appended = before && before.ino === info.ino && info.size > before.size;
      const from = appended ? Math.max(0, before.size - overlap) : 0;
      const bytes = await readRange(file, from, info.size).catch(() => null);
      if (!bytes) continue;
      this.#files.set(file, { ino: info.ino, size: info.size, mtimeMs: info.mtimeMs });
      for (const hit of this.#hits(bytes)) leaks.push(`${file} contains ${hit}`);
    }
    return leaks;
  }

  /** Host output (stdout + stderr) that gained a canary value since the last call. */
  checkOutput(host) {
    const overlap = Math.max(0, ...this.needles.map((n) => n.length));
    const from = Math.max(0, (this.#outputs.get(host) ?? 0) - overlap);
    this.#outputs.set(host, host.output.length);
    return this.#hits(Buffer.from(host.output.slice(from))).map(
      (hit) => `host ${host.pid} printed ${hit}`,
    );
  }
}
