/** A key found in a file, as the scanners report it (main process only: it holds the value). */
export interface FoundKey {
  name: string;
  /** The value as written (unquoted); never leaves the main process. */
  value: string;
  /** 1-based line of the value. */
  line: number;
  /** 1-based first and last line to delete to take the key out of the file. */
  removeLines: [first: number, last: number] | null;
  /** Why the lines cannot be removed automatically, when `removeLines` is null. */
  removeProblem: string | null;
}

/** What one scanner found in one file, plus notes for the user (never holding a value). */
export interface ScanFindings {
  keys: FoundKey[];
  notes: string[];
}

/** 1-based line number of a character offset in `text`. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
