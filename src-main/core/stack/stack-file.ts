import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import {
  StackFileError,
  formatDuplicateKeys,
  formatYamlErrors,
  formatZodIssues,
} from './stack-file-errors';
import {
  MAX_STACK_FILE_ALIASES,
  MAX_STACK_FILE_NESTING,
  checkNesting,
  readStackFileText,
  somethingAt,
  tooManyAliases,
} from './stack-file-limits';
import { stackFileSchema, type StackFileConfig } from './stack-file-schema';

/** File names looked for in the user data dir, in order; more than one present is an error. */
export const STACK_FILE_NAMES = ['stack.yaml', 'stack.yml', 'stack.json'] as const;

/** Most problems listed for one bad file; the rest are summarised so the message stays readable. */
const MAX_PROBLEMS = 8;

/** Where the stack file is, what it says (null config when absent or invalid), and why it is invalid. */
export interface StackFileRead {
  /** The file in use, or where `stack.yaml` would go when there is none. */
  path: string;
  exists: boolean;
  config: StackFileConfig | null;
  /** Advice lines when the file cannot be used, else null. */
  error: string | null;
}

function limit(lines: string[]): string {
  if (lines.length <= MAX_PROBLEMS) return lines.join('\n');
  const more = lines.length - MAX_PROBLEMS;
  return [...lines.slice(0, MAX_PROBLEMS), `... and ${more} more problem(s).`].join('\n');
}

/**
 * Parses and validates stack file text (YAML, or JSON which is valid YAML).
 * Throws StackFileError whose message has one advice line per problem; nothing else, whatever
 * the text (alias bombs, deep nesting and parser failures are StackFileErrors too).
 */
export function parseStackFile(text: string, fileName: string): StackFileConfig {
  checkNesting(text, fileName);
  let input: unknown;
  try {
    const lineCounter = new LineCounter();
    // uniqueKeys off: the library's check is quadratic; formatDuplicateKeys does it in linear time.
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, lineCounter });
    if (doc.errors.some((e) => e.code === 'RESOURCE_EXHAUSTION')) {
      const pos = doc.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION')?.linePos?.[0];
      throw new StackFileError(
        `${fileName}: ${pos ? `line ${pos.line}: ` : ''}too deeply nested or too complex to read (a stack file needs at most 5 levels, the limit is ${MAX_STACK_FILE_NESTING}). Simplify it, then reload.`,
      );
    }
    if (doc.errors.length > 0)
      throw new StackFileError(limit(formatYamlErrors(fileName, doc, doc.errors)));
    const duplicates = formatDuplicateKeys(fileName, doc, lineCounter);
    if (duplicates.length > 0) throw new StackFileError(limit(duplicates));
    input = doc.toJS({ maxAliasCount: MAX_STACK_FILE_ALIASES }) ?? {};
  } catch (error) {
    if (error instanceof StackFileError) throw error;
    // The yaml library's only signal for an alias bomb is this ReferenceError.
    if (error instanceof ReferenceError && /alias/i.test(error.message))
      throw tooManyAliases(fileName);
    throw new StackFileError(
      `${fileName}: could not be read as YAML (${(error as Error).message}); simplify it or start again from docs/stack-file.md, then reload.`,
    );
  }
  const result = stackFileSchema.safeParse(input);
  if (!result.success) {
    throw new StackFileError(limit(formatZodIssues(fileName, result.error.issues, input)));
  }
  return result.data;
}

/**
 * Finds, reads and validates the user's stack file in `userDataDir`. Never throws: anything at
 * one of the names (a folder, a pipe, a dangling link, a 2 MB or binary file) is reported as
 * that file's error, never taken for "no file".
 */
export async function readStackFile(userDataDir: string): Promise<StackFileRead> {
  const present: string[] = [];
  for (const name of STACK_FILE_NAMES) {
    if (await somethingAt(path.join(userDataDir, name))) present.push(name);
  }
  const first = present[0];
  if (first === undefined) {
    const where = path.join(userDataDir, STACK_FILE_NAMES[0]);
    return { path: where, exists: false, config: null, error: null };
  }
  const file = path.join(userDataDir, first);
  const failed = (error: string): StackFileRead => ({
    path: file,
    exists: true,
    config: null,
    error,
  });
  if (present.length > 1) {
    return failed(
      `${present.join(' and ')} both exist in ${userDataDir}; keep one (remove or rename the others).`,
    );
  }
  try {
    const text = await readStackFileText(file, first);
    return { path: file, exists: true, config: parseStackFile(text, first), error: null };
  } catch (error) {
    if (error instanceof StackFileError) return failed(error.message);
    // Not expected (parseStackFile converts its failures); still a file problem, not a crash.
    return failed(`${first}: could not be read (${(error as Error).message}); check the file.`);
  }
}
