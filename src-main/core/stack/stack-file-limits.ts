import { constants, type Stats } from 'node:fs';
import { lstat, open, stat } from 'node:fs/promises';
import { CST, Lexer } from 'yaml';
import { StackFileError } from './stack-file-errors';

/*
 * The stack file is local input that anyone who can write the data dir controls. These limits
 * keep a hostile or accidental file (a YAML bomb, a huge or binary file, a pipe that never
 * ends) from stalling or crashing the app: each becomes a StackFileError naming the problem.
 */

/** Largest stack file read; a real one is a few KB. */
export const MAX_STACK_FILE_BYTES = 1024 * 1024;
/** Deepest nesting accepted; a stack file needs 5 (services.name.restart.crash_loop.count). */
export const MAX_STACK_FILE_NESTING = 64;
/** Alias resolutions allowed (the yaml library's count, which includes nested aliases). */
export const MAX_STACK_FILE_ALIASES = 100;

const NOT_A_FILE: readonly [(s: Stats) => boolean, string][] = [
  [(s) => s.isDirectory(), 'a folder'],
  [(s) => s.isFIFO(), 'a named pipe (FIFO)'],
  [(s) => s.isSocket(), 'a socket'],
  [(s) => s.isCharacterDevice() || s.isBlockDevice(), 'a device'],
];

function kindOf(info: Stats): string | null {
  if (info.isFile()) return null;
  return NOT_A_FILE.find(([test]) => test(info))?.[1] ?? 'not a regular file';
}

function notAFile(fileName: string, kind: string): StackFileError {
  return new StackFileError(
    `${fileName}: is ${kind}, not a file; Stigmer Local reads only a regular YAML or JSON file here. Remove or rename it (put your stack file in its place), then reload.`,
  );
}

function tooBig(fileName: string, bytes: number): StackFileError {
  const size = bytes > MAX_STACK_FILE_BYTES ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : 'growing';
  return new StackFileError(
    `${fileName}: is ${size}, more than the 1 MB a stack file may be (a real one is a few KB, so this is likely not a stack file). Shorten it or move it away, then reload.`,
  );
}

/** Whether anything (file, folder, pipe, dangling link) sits at `file`. */
export async function somethingAt(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * Reads a stack file as text: only a regular file, at most MAX_STACK_FILE_BYTES, valid UTF-8
 * without control characters. Never blocks on a FIFO (checked before opening, and opened
 * non-blocking in case it is swapped in between). Throws StackFileError with advice.
 */
export async function readStackFileText(file: string, fileName: string): Promise<string> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    const linked = (await lstat(file).catch(() => null))?.isSymbolicLink() ?? false;
    const what = linked ? 'is a link that cannot be followed' : 'cannot be read';
    throw new StackFileError(
      `${fileName}: ${what} (${(error as Error).message}); point it at your stack file or remove it, then reload.`,
    );
  }
  const kind = kindOf(info);
  if (kind !== null) throw notAFile(fileName, kind);
  if (info.size > MAX_STACK_FILE_BYTES) throw tooBig(fileName, info.size);

  // O_NONBLOCK: a FIFO swapped in after the stat must not hang the open (0 where undefined).
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
  let buf: Buffer;
  try {
    const fh = await open(file, flags);
    try {
      const again = kindOf(await fh.stat());
      if (again !== null) throw notAFile(fileName, again);
      // One byte over the limit tells a file that grew since the stat.
      buf = Buffer.alloc(MAX_STACK_FILE_BYTES + 1);
      let len = 0;
      while (len < buf.length) {
        const { bytesRead } = await fh.read(buf, len, buf.length - len, len);
        if (bytesRead === 0) break;
        len += bytesRead;
      }
      if (len > MAX_STACK_FILE_BYTES) throw tooBig(fileName, len);
      buf = buf.subarray(0, len);
    } finally {
      await fh.close();
    }
  } catch (error) {
    if (error instanceof StackFileError) throw error;
    throw new StackFileError(
      `${fileName}: cannot be read (${(error as Error).message}); check its permissions.`,
    );
  }
  return decodeText(buf, fileName);
}

function lineCol(text: string, index: number): string {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return `line ${line}, column ${index - before.lastIndexOf('\n')}`;
}

/** UTF-8 text, or a StackFileError saying where the binary content starts. */
function decodeText(buf: Buffer, fileName: string): string {
  const text = buf.toString('utf8');
  const advice =
    'a stack file is YAML or JSON text. Replace it with your stack file or move it away, then reload.';
  // YAML allows tab, LF and CR among the C0 controls; anything else means a binary file.
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const control = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(2, '0');
    throw new StackFileError(
      `${fileName}: is not text (byte 0x${code} at ${lineCol(text, control.index)}); ${advice}`,
    );
  }
  if (!Buffer.from(text, 'utf8').equals(buf)) {
    const at = text.indexOf('\uFFFD');
    throw new StackFileError(
      `${fileName}: is not UTF-8 text (invalid bytes at ${lineCol(text, Math.max(at, 0))}); ${advice}`,
    );
  }
  return text;
}

/**
 * Refuses text nested deeper than MAX_STACK_FILE_NESTING before the YAML parser sees it: the
 * parser recurses per level, and a few hundred thousand levels exhaust its memory and kill the
 * process (measured: `- `×200,000, 400 KB). Works on the lexer's flat token stream, so it
 * never recurses itself; block levels are counted by indentation (and `- `/`? ` indicators on
 * one line), flow levels by brackets. It may over-count a little, never under-count much, and
 * real files are far below the limit.
 */
export function checkNesting(text: string, fileName: string): void {
  const open: number[] = [];
  let flow = 0;
  let col = 0;
  let line = 1;
  let lineStart = true;
  for (const token of new Lexer().lex(text)) {
    if (token === '') continue;
    const type = CST.tokenType(token);
    if (type === 'newline') {
      col = 0;
      line++;
      lineStart = true;
      continue;
    }
    if (type === 'doc-start') {
      open.length = 0;
      flow = 0;
    } else if (type === 'flow-seq-start' || type === 'flow-map-start') flow++;
    else if (type === 'flow-seq-end' || type === 'flow-map-end') flow = Math.max(0, flow - 1);
    const content = type !== 'space' && type !== 'comment' && token.length > 0;
    // Lexer control tokens (document/scalar markers, BOM) take no column.
    const zeroWidth = token.length === 1 && (token < ' ' || token === '\uFEFF');
    if (content && !zeroWidth && flow === 0) {
      if (lineStart || type === 'seq-item-ind' || type === 'explicit-key-ind') {
        while (open.length > 0 && (open[open.length - 1] as number) >= col) open.pop();
        open.push(col);
      }
      lineStart = false;
    }
    if (open.length + flow > MAX_STACK_FILE_NESTING) {
      throw new StackFileError(
        `${fileName}: line ${line}: nested more than ${MAX_STACK_FILE_NESTING} levels deep; a stack file needs at most 5 (services → name → restart → crash_loop → count). Remove the extra nesting, then reload.`,
      );
    }
    if (zeroWidth) continue;
    const nl = token.lastIndexOf('\n');
    if (nl === -1) col += token.length;
    else {
      line += token.split('\n').length - 1;
      col = token.length - nl - 1;
    }
  }
}

/** Advice for a file whose aliases expand past MAX_STACK_FILE_ALIASES. */
export function tooManyAliases(fileName: string): StackFileError {
  return new StackFileError(
    `${fileName}: uses YAML aliases (*name) too much: more than ${MAX_STACK_FILE_ALIASES} once nested aliases are counted (the limit stops "billion laughs" files that would fill memory). Write the values out instead of aliasing them, then reload.`,
  );
}
