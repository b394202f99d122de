/**
 * Which Node runs a service, as the row shows it. A service that is a Node program (the
 * agent-runner needs Node >= 22.13) may need a different Node than the app's own.
 */

/** Where a Node came from, in the order they are tried. */
export type NodeSource =
  'setting' | 'env' | 'app' | 'path' | 'nvm' | 'fnm' | 'volta' | 'asdf' | 'homebrew' | 'usr-local';

/** The Node a service runs with. */
export interface ServiceRuntime {
  kind: 'node';
  path: string;
  /** "v22.23.5" */
  version: string;
  source: NodeSource;
}

/** A Node a service needs and none of the places searched has (state 'not-installed'). */
export interface RuntimeNeed {
  kind: 'node';
  /** npm's range, e.g. ">=22.13". */
  range: string;
}

/** How each source is named in the row: "Node v22.23.5 (Settings)". */
export const NODE_SOURCE_LABEL: Record<NodeSource, string> = {
  setting: 'Settings',
  env: 'STIGMER_NODE',
  app: "the app's own",
  path: 'PATH',
  nvm: 'nvm',
  fnm: 'fnm',
  volta: 'Volta',
  asdf: 'asdf',
  homebrew: 'Homebrew',
  'usr-local': '/usr/local',
};

/** "Node v22.23.5 (Settings)" */
export function runtimeLabel(runtime: ServiceRuntime): string {
  return `Node ${runtime.version} (${NODE_SOURCE_LABEL[runtime.source]})`;
}

/** "22.13" for a plain lower bound such as ">=22.13"; null for any other range. */
export function rangeMinimum(range: string): string | null {
  const m = /^>=\s*v?(\d+(?:\.\d+){0,2})$/.exec(range.trim());
  return m?.[1] ?? null;
}

/** The state label of a service that lacks its Node: "Needs Node 22.13+" (or the range). */
export function needLabel(need: RuntimeNeed): string {
  const floor = rangeMinimum(need.range);
  return floor ? `Needs Node ${floor}+` : `Needs Node ${need.range.trim()}`;
}
