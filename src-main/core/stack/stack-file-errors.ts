import type { z } from 'zod';
import { isMap, isScalar, visit, type Document, type LineCounter, type YAMLError } from 'yaml';
import { ALLOWED_FIELDS, UNIONS } from './stack-file-schema';

/** A stack file that cannot be used; `message` is advice naming the file and field path. */
export class StackFileError extends Error {
  override readonly name = 'StackFileError';
}

type Path = readonly PropertyKey[];

/** `services.agent-runner.ports[0]` style path; empty path is the whole file. */
export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function render(value: unknown, depth: number): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object') return String(value);
  if (depth > 2) return Array.isArray(value) ? '[...]' : '{...}';
  if (Array.isArray(value)) return `[${value.map((item) => render(item, depth + 1)).join(', ')}]`;
  const entries = Object.entries(value).map(([k, v]) => `${k}: ${render(v, depth + 1)}`);
  return `{${entries.join(', ')}}`;
}

/** A short, YAML-flow-like rendering of a value the user wrote, for "got ..." in messages. */
export function describeValue(value: unknown): string {
  const text = render(value, 0);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(input: unknown, path: Path): unknown {
  let current = input;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

type UnionInfo = (typeof UNIONS)[keyof typeof UNIONS];

function unionAt(path: Path): UnionInfo | null {
  const last = path[path.length - 1];
  if (path[0] === 'services' && path.length === 3 && last === 'readiness') return UNIONS.readiness;
  if (path[0] === 'services' && path.length === 3 && last === 'stop') return UNIONS.stop;
  if (path[path.length - 2] === 'keys' && typeof last === 'number') return UNIONS.key;
  return null;
}

/** Which union branch the user meant: the one whose key they wrote (or the string branch). */
function branchOf(union: UnionInfo, value: unknown): number {
  const branches: readonly (string | null)[] = union.branches;
  if (typeof value === 'string' && union === UNIONS.key) return 0;
  if (!isRecord(value)) return -1;
  const present = branches.flatMap((key, i) => (key !== null && key in value ? [i] : []));
  return present.length === 1 ? (present[0] as number) : -1;
}

function allowedAt(path: Path, value: unknown): string[] {
  const last = path[path.length - 1];
  if (path.length === 0) return ALLOWED_FIELDS.root ?? [];
  if (path.length === 2 && path[0] === 'services') return ALLOWED_FIELDS.service ?? [];
  const union = unionAt(path);
  if (union) {
    const key = union.branches[branchOf(union, value)];
    return (key && ALLOWED_FIELDS[key]) || [];
  }
  if (typeof last === 'string') return ALLOWED_FIELDS[last] ?? [];
  return [];
}

function collect(issue: z.core.$ZodIssue, input: unknown, file: string, out: string[]): void {
  const where = `${file}: ${formatPath(issue.path)}`;
  const value = valueAt(input, issue.path);
  if (issue.code === 'invalid_union') {
    const union = unionAt(issue.path);
    const branch = union ? branchOf(union, value) : -1;
    const chosen = branch >= 0 ? issue.errors[branch] : undefined;
    if (chosen && chosen.length > 0) {
      for (const sub of chosen)
        collect({ ...sub, path: [...issue.path, ...sub.path] }, input, file, out);
      return;
    }
    out.push(`${where}: ${issue.message}; got ${describeValue(value)}.`);
    return;
  }
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedAt(issue.path, value);
    for (const key of issue.keys) {
      const at = `${file}: ${formatPath([...issue.path, key])}`;
      out.push(`${at}: unknown field; allowed here: ${allowed.join(', ')}.`);
    }
    return;
  }
  if (value === undefined) out.push(`${where}: missing; ${issue.message}.`);
  else out.push(`${where}: ${issue.message}; got ${describeValue(value)}.`);
}

/** One advice line per problem zod found, each naming the field path and what is allowed. */
export function formatZodIssues(
  file: string,
  issues: z.core.$ZodIssue[],
  input: unknown,
): string[] {
  const out: string[] = [];
  for (const issue of issues) collect(issue, input, file, out);
  return [...new Set(out)];
}

function duplicateServiceNames(doc: Document): string[] {
  const services = doc.get('services', true);
  if (!isMap(services)) return [];
  const seen = new Set<string>();
  const dupes: string[] = [];
  for (const item of services.items) {
    const name = isScalar(item.key) ? String(item.key.value) : String(item.key);
    if (seen.has(name)) dupes.push(name);
    seen.add(name);
  }
  return dupes;
}

/** Advice for YAML/JSON syntax errors, with line and column. */
export function formatYamlErrors(file: string, doc: Document, errors: YAMLError[]): string[] {
  const dupes = duplicateServiceNames(doc);
  const out = dupes.map(
    (name) => `${file}: services.${name}: duplicate service name; each service may appear once.`,
  );
  for (const error of errors) {
    if (error.code === 'DUPLICATE_KEY' && dupes.length > 0) continue;
    const summary = (error.message.split('\n')[0] ?? error.message).replace(
      / at line \d+, column \d+:?$/,
      '',
    );
    const pos = error.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}` : 'syntax';
    const hint =
      error.code === 'DUPLICATE_KEY'
        ? 'each field may appear once'
        : 'write YAML "name: value" pairs indented with spaces (or valid JSON)';
    out.push(`${file}: ${where}: ${summary}; ${hint}.`);
  }
  return out;
}

/**
 * Advice for keys written twice in one map. Done here with a Set per map because the yaml
 * library's own check (uniqueKeys) compares each key with every earlier one: measured 31 s for
 * a 200 KB file of 20,000 keys, minutes for 1 MB, all on the thread that answers the window.
 */
export function formatDuplicateKeys(file: string, doc: Document, lines: LineCounter): string[] {
  const services = doc.get('services', true);
  const out: string[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const item of map.items) {
        if (!isScalar(item.key)) continue;
        const name = String(item.key.value);
        if (!seen.has(name)) {
          seen.add(name);
          continue;
        }
        if (map === services) {
          out.push(
            `${file}: services.${name}: duplicate service name; each service may appear once.`,
          );
        } else {
          const pos = lines.linePos(item.key.range?.[0] ?? 0);
          out.push(
            `${file}: line ${pos.line}, column ${pos.col}: Map keys must be unique; each field may appear once.`,
          );
        }
      }
    },
  });
  return [...new Set(out)];
}
