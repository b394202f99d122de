import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { StackFileError, formatYamlErrors, formatZodIssues } from './stack-file-errors';
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
 * Throws StackFileError whose message has one advice line per problem.
 */
export function parseStackFile(text: string, fileName: string): StackFileConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0)
    throw new StackFileError(limit(formatYamlErrors(fileName, doc, doc.errors)));
  const input: unknown = doc.toJS() ?? {};
  const result = stackFileSchema.safeParse(input);
  if (!result.success) {
    throw new StackFileError(limit(formatZodIssues(fileName, result.error.issues, input)));
  }
  return result.data;
}

async function isFile(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => null);
  return info?.isFile() ?? false;
}

/** Finds, reads and validates the user's stack file in `userDataDir`. Never throws. */
export async function readStackFile(userDataDir: string): Promise<StackFileRead> {
  const present: string[] = [];
  for (const name of STACK_FILE_NAMES) {
    if (await isFile(path.join(userDataDir, name))) present.push(name);
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
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return failed(`${first}: cannot be read (${(error as Error).message}); check its permissions.`);
  }
  try {
    return { path: file, exists: true, config: parseStackFile(text, first), error: null };
  } catch (error) {
    if (error instanceof StackFileError) return failed(error.message);
    throw error;
  }
}
