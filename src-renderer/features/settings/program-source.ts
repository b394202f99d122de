import type { ServiceStatus } from '../../../src-shared/model/service';

/** Where a program came from, read from the discovery's `searched` trail. */
export type ProgramSource =
  | { kind: 'stack-file'; file: string; path: string }
  | { kind: 'settings'; path: string }
  | { kind: 'environment'; variable: string; path: string }
  | { kind: 'path'; path: string }
  | { kind: 'default-folder'; path: string };

/** A Settings path that was looked at and is not a usable program: where, and why not. */
export interface ProgramProblem {
  path: string;
  reason: string;
}

/** "label: /target (found)" or "/target (found)": one entry of ServiceStatus.searched. */
const ENTRY = /^(?:([^:/\\][^:]*?): )?(.+) \(([^()]*)\)$/;

function parse(entry: string): { label: string | null; target: string; result: string } | null {
  const match = ENTRY.exec(entry);
  if (!match) return null;
  return { label: match[1] ?? null, target: match[2]!, result: match[3]! };
}

/**
 * Where an installed service's program was found. Discovery and the stack file list what they
 * tried in order (src-main/core/stack/discovery.ts, stack-merge.ts), so the first "(found)" entry
 * is the one in use. Null when the service is not installed or the trail says nothing.
 */
export function programSource(service: ServiceStatus, stackFile: string): ProgramSource | null {
  if (service.state === 'not-installed') return null;
  const fileName = stackFile.split(/[\\/]/).pop() ?? stackFile;
  for (const entry of service.searched) {
    const seen = parse(entry);
    if (!seen || seen.result !== 'found') continue;
    const { label, target: path } = seen;
    if (label === null) return { kind: 'default-folder', path };
    if (label === 'Settings') return { kind: 'settings', path };
    if (label === 'PATH') return { kind: 'path', path };
    if (label.startsWith('$')) return { kind: 'environment', variable: label, path };
    if (label === fileName) return { kind: 'stack-file', file: fileName, path };
    return null;
  }
  return null;
}

/** The Settings path of a service that was looked at and refused ("no such file"), if any. */
export function settingsProblem(service: ServiceStatus): ProgramProblem | null {
  for (const entry of service.searched) {
    const seen = parse(entry);
    if (seen?.label === 'Settings' && seen.result !== 'found') {
      return { path: seen.target, reason: seen.result };
    }
  }
  return null;
}

/** What the Programs form says beside a field about where the program in use comes from. */
export function sourceLabel(source: ProgramSource): string {
  switch (source.kind) {
    case 'stack-file':
      return `From ${source.file}: ${source.path}`;
    case 'settings':
      return 'found';
    case 'environment':
      return `Found through ${source.variable}: ${source.path}`;
    case 'path':
      return `Found on PATH: ${source.path}`;
    case 'default-folder':
      return `Found: ${source.path}`;
  }
}
