import path from 'node:path';
import { baseEnv, isSecretName } from './base-env';
import { DEFAULT_RESTART } from './default-stack';
import { launchFor, type NodeChoice } from './discovery';
import { applyNodeRange } from './node-program';
import { expandHome, findOnPath, probePath } from './path-search';
import { formatHostPort } from './host-port';
import { StackFileError } from './stack-file-errors';
import { SERVICE_NAME_PATTERN, type ServiceEntry, type StackFileConfig } from './stack-file-schema';
import { checkDependencies } from './stack-checks';
import type { Readiness, ServiceSpec, StackSpec, StopStrategy } from './types';

/** Readiness timeout when the file gives none. */
export const DEFAULT_READINESS_TIMEOUT_MS = 30_000;
/** Stop grace when the file gives none for a new service. */
export const DEFAULT_STOP_GRACE_MS = 5_000;

/** What merging needs besides the file: where it lives and how to resolve commands. */
export interface MergeContext extends NodeChoice {
  /** Display name of the file in messages, e.g. `stack.yaml`. */
  fileName: string;
  /** Relative `command` and `cwd` resolve against this directory. */
  fileDir: string;
  appEnv: NodeJS.ProcessEnv;
  homeDir: string;
  platform?: NodeJS.Platform;
  /** Count of leading args of each default service that belong to its discovered binary. */
  launchArgCounts?: Record<string, number>;
  /** Services that run elsewhere (e.g. an external Temporal): depends_on on them is satisfied. */
  external?: string[];
}

interface ResolvedCommand {
  command: string | null;
  prefix: string[];
  env: Record<string, string>;
  searched: string[];
  runtime: ServiceSpec['runtime'];
}

/**
 * Relative paths resolve against the file's dir. A bare name (`node`, `my-tool`) is looked for
 * there first, then on PATH, so both `server.mjs` beside the file and `python3` work.
 */
async function resolveCommand(
  raw: string,
  ctx: MergeContext,
  want: { name: string; declared: string | null },
): Promise<ResolvedCommand> {
  const expanded = expandHome(raw, ctx.homeDir);
  const platform = ctx.platform ?? process.platform;
  const target = path.resolve(ctx.fileDir, expanded);
  const found = await probePath(target);
  const searched = [
    `${ctx.fileName}: ${target} (${found.kind === 'missing' ? found.reason : 'found'})`,
  ];
  let launch = await launchFor(found, ctx, want);
  const isBare = !path.isAbsolute(expanded) && !/[\\/]/.test(expanded);
  if (!launch && isBare) {
    const lookup = await findOnPath(expanded, ctx.appEnv, platform);
    searched.push(...lookup.searched);
    launch = lookup.found ? await launchFor(lookup.found, ctx, want) : null;
  }
  if (launch) {
    const { command, args: prefix, env, runtime = null } = launch;
    return { command, prefix, env, searched: [...searched, ...launch.searched], runtime };
  }
  return { command: null, prefix: [], env: {}, searched, runtime: null };
}

function toReadiness(entry: NonNullable<ServiceEntry['readiness']>): Readiness {
  if (entry === 'none') return { kind: 'none' };
  const timeoutMs = entry.timeout ?? DEFAULT_READINESS_TIMEOUT_MS;
  if ('tcp' in entry)
    return { kind: 'tcp', port: entry.tcp, host: entry.host ?? 'localhost', timeoutMs };
  if ('log' in entry)
    return { kind: 'log', pattern: entry.log, stream: entry.stream ?? 'any', timeoutMs };
  return { kind: 'http', url: entry.http, timeoutMs };
}

function toStop(entry: NonNullable<ServiceEntry['stop']>, fallbackGraceMs: number): StopStrategy {
  const graceMs = entry.grace ?? fallbackGraceMs;
  if ('signal' in entry) return { kind: 'signal', signal: entry.signal, graceMs };
  return { kind: 'stdin', message: entry.stdin, graceMs };
}

function newService(name: string, ctx: MergeContext): ServiceSpec {
  return {
    name,
    displayName: name,
    command: null,
    args: [],
    cwd: ctx.fileDir,
    env: baseEnv(ctx.appEnv, ctx.platform ?? process.platform),
    dependsOn: [],
    readiness: { kind: 'none' },
    restart: { ...DEFAULT_RESTART },
    stop: { kind: 'signal', signal: 'SIGTERM', graceMs: DEFAULT_STOP_GRACE_MS },
    critical: false,
    ports: [],
    searched: [],
    keys: [],
  };
}

function mergeEnv(
  name: string,
  base: Record<string, string>,
  entry: ServiceEntry,
  keyNames: Set<string>,
  ctx: MergeContext,
  problems: string[],
): Record<string, string> {
  const env = { ...base };
  for (const [key, value] of Object.entries(entry.env ?? {})) {
    if (isSecretName(key) || keyNames.has(key)) {
      problems.push(
        `${ctx.fileName}: services.${name}.env.${key}: secrets do not belong in the stack file (it is plain text); list "${key}" under keys and set its value in Stigmer Local's Keys panel.`,
      );
    } else if (value === null) delete env[key];
    else env[key] = value;
  }
  return env;
}

async function applyEntry(
  name: string,
  entry: ServiceEntry,
  existing: ServiceSpec | undefined,
  ctx: MergeContext,
  problems: string[],
): Promise<ServiceSpec> {
  const spec = existing ? structuredClone(existing) : newService(name, ctx);
  if (entry.command !== undefined) {
    const declared = entry.runtime?.node ?? null;
    const resolved = await resolveCommand(entry.command, ctx, { name, declared });
    // The default's discovered launch (e.g. `node main.js` and its node env) no longer applies.
    const keepArgs = existing ? spec.args.slice(ctx.launchArgCounts?.[name] ?? 0) : [];
    for (const key of Object.keys(ctx.nodeEnv)) delete spec.env[key];
    spec.command = resolved.command;
    spec.args = [...resolved.prefix, ...(entry.args ?? keepArgs)];
    spec.env = { ...spec.env, ...resolved.env };
    spec.searched = resolved.searched;
    spec.runtime = resolved.runtime;
    if (declared && !resolved.runtime && resolved.command) {
      problems.push(
        `${ctx.fileName}: services.${name}.runtime: ${resolved.command} is not a Node script (a .js/.mjs/.cjs file, a "#!/usr/bin/env node" script or an npm bin link); point command at the script itself, or remove runtime.`,
      );
    }
  } else if (entry.args !== undefined) {
    const prefix = spec.args.slice(0, ctx.launchArgCounts?.[name] ?? 0);
    spec.args = [...prefix, ...entry.args];
  }
  if (entry.command === undefined && entry.runtime !== undefined) {
    const problem = await applyNodeRange(spec, entry.runtime.node, ctx);
    if (problem) problems.push(`${ctx.fileName}: services.${name}.runtime: ${problem}`);
  }
  if (entry.display_name !== undefined) spec.displayName = entry.display_name;
  if (entry.cwd !== undefined)
    spec.cwd = path.resolve(ctx.fileDir, expandHome(entry.cwd, ctx.homeDir));
  if (entry.keys !== undefined) {
    spec.keys = entry.keys.map((key) =>
      typeof key === 'string'
        ? { name: key, required: false }
        : { name: key.name, required: key.required ?? false },
    );
  }
  spec.env = mergeEnv(name, spec.env, entry, new Set(spec.keys.map((k) => k.name)), ctx, problems);
  if (entry.depends_on !== undefined) spec.dependsOn = [...entry.depends_on];
  if (entry.readiness !== undefined) spec.readiness = toReadiness(entry.readiness);
  if (entry.wait_for !== undefined) {
    const w = entry.wait_for;
    spec.waitFor =
      w === null ? null : { ...w.tcp, label: w.label ?? formatHostPort(w.tcp.host, w.tcp.port) };
  }
  if (entry.stop !== undefined) spec.stop = toStop(entry.stop, spec.stop.graceMs);
  if (entry.critical !== undefined) spec.critical = entry.critical;
  if (entry.ports !== undefined) spec.ports = [...entry.ports];
  if (entry.restart !== undefined) {
    const r = entry.restart;
    spec.restart = {
      policy: r.policy,
      initialBackoffMs: r.backoff ?? spec.restart.initialBackoffMs,
      maxBackoffMs: r.max_backoff ?? Math.max(spec.restart.maxBackoffMs, r.backoff ?? 0),
      crashLoopCount: r.crash_loop?.count ?? spec.restart.crashLoopCount,
      crashLoopWindowMs: r.crash_loop?.window ?? spec.restart.crashLoopWindowMs,
    };
  }
  return spec;
}

/**
 * Applies a validated stack file to the default stack: overrides by name, additions after the
 * defaults in file order, `enabled: false` removes. Throws StackFileError with advice lines.
 */
export async function applyStackFile(
  defaults: StackSpec,
  config: StackFileConfig,
  ctx: MergeContext,
): Promise<StackSpec> {
  const problems: string[] = [];
  const services = defaults.services.map((service) => structuredClone(service));
  const disabled = new Set(ctx.external ?? []);
  const defaultNames = defaults.services.map((service) => service.name);
  for (const [name, entry] of Object.entries(config.services ?? {})) {
    if (!SERVICE_NAME_PATTERN.test(name)) {
      problems.push(
        `${ctx.fileName}: services.${name}: invalid service name; use lowercase letters, digits and "-" (1-63 characters, starting with a letter or digit).`,
      );
      continue;
    }
    const index = services.findIndex((service) => service.name === name);
    if (entry.enabled === false) {
      if (index >= 0) services.splice(index, 1);
      disabled.add(name);
      continue;
    }
    const existing = index >= 0 ? services[index] : undefined;
    if (!existing && entry.command === undefined) {
      problems.push(
        `${ctx.fileName}: services.${name}.command: required for a new service ("${name}" is not a default service; the defaults are ${defaultNames.join(', ') || 'none'}).`,
      );
      continue;
    }
    const merged = await applyEntry(name, entry, existing, ctx, problems);
    if (index >= 0) services[index] = merged;
    else services.push(merged);
  }
  // A disabled or external service is taken to run elsewhere, so depending on it is satisfied.
  const present = new Set(services.map((service) => service.name));
  for (const service of services) {
    service.dependsOn = service.dependsOn.filter((dep) => present.has(dep) || !disabled.has(dep));
  }
  const spec: StackSpec = { services };
  if (problems.length === 0) problems.push(...checkDependencies(ctx.fileName, spec));
  if (problems.length > 0) throw new StackFileError(problems.join('\n'));
  return spec;
}
