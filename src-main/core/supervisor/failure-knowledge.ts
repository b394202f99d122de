/**
 * What the app knows about how its services fail: from a service's last output lines and its
 * exit, a plain-words reason, a fix, and whether retrying can help. Every rule here is backed by
 * output captured from the real program (see failure-fixtures/), not by lines we imagined.
 */

/** The failures the app can name. */
export type FailureKind =
  | 'temporal-unreachable'
  | 'key-rejected'
  | 'quota-exceeded'
  | 'rate-limited'
  | 'overloaded'
  | 'node-too-old'
  | 'module-not-found'
  | 'broken-package'
  | 'permission-denied'
  | 'port-in-use';

/** What the supervisor knows when a service ends (or prints a fatal line while stopping). */
export interface FailureInput {
  /** The service's last output lines, oldest first (stdout and stderr together). */
  lines: readonly string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The service name as the user sees it, e.g. "agent-runner". */
  service: string;
  /** The service's environment (only addresses are read from it, never keys). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** A failure in plain words: what happened, what to do, and whether a retry can fix it. */
export interface FailureExplanation {
  kind: FailureKind;
  reason: string;
  fix: string;
  /** True when restarting without a change cannot help: stop retrying at once. */
  permanent: boolean;
  /** The output line the explanation rests on, shortened; for the log and journal. */
  evidence: string;
}

type Rule = (line: string, input: FailureInput) => Omit<FailureExplanation, 'evidence'> | null;

/** Node prints the whole (minified) source line of a throw site; only a line's start is matched. */
const MAX_MATCH_CHARS = 4096;
const MAX_EVIDENCE_CHARS = 300;
// eslint-disable-next-line no-control-regex -- ANSI colour codes are control characters
const ANSI = /\u001b\[[0-9;]*m/g;

const DEFAULT_TEMPORAL = 'localhost:7233';

function temporalAddress(input: FailureInput): string {
  return input.env?.TEMPORAL_SERVICE_ADDRESS?.trim() || DEFAULT_TEMPORAL;
}

const getTemporal =
  'Start Temporal first: enable the temporal service in this stack, or run `temporal server start-dev`. ' +
  'If your Temporal runs elsewhere, set TEMPORAL_SERVICE_ADDRESS for this service.';

const temporalUnreachable: Rule = (line, input) => {
  // Temporal's Rust core (tonic) reports a refused connect with the address it dialled.
  const refused = /tcp connect error",\s*([^\s,)]+)[^]*ConnectionRefused/.exec(line);
  if (refused) {
    const at = refused[1] ?? temporalAddress(input);
    return {
      kind: 'temporal-unreachable',
      reason: `${input.service} could not reach Temporal at ${at}: nothing is listening there (connection refused).`,
      fix: getTemporal,
      permanent: false,
    };
  }
  if (/GetSystemInfo/.test(line) && /Timeout expired|TimeoutExpired|DeadlineExceeded/i.test(line)) {
    const at = temporalAddress(input);
    return {
      kind: 'temporal-unreachable',
      reason:
        `${input.service} connected to ${at} (TEMPORAL_SERVICE_ADDRESS) but no Temporal answered there ` +
        'in time (its GetSystemInfo call timed out). Whatever listens on that port is not a working Temporal server.',
      fix:
        `Check what is listening on ${at}: if it is your Temporal, restart it (or run \`temporal server start-dev\`); ` +
        'otherwise stop that program, or set TEMPORAL_SERVICE_ADDRESS for this service to where Temporal really is.',
      permanent: false,
    };
  }
  return null;
};

/** Which provider an API error line comes from, so the fix names the right key. */
function provider(line: string): { name: string; key: string } {
  if (/openai|invalid_api_key|Incorrect API key provided|insufficient_quota/i.test(line)) {
    return { name: 'OpenAI', key: 'OPENAI_API_KEY' };
  }
  return { name: 'Anthropic', key: 'ANTHROPIC_API_KEY' };
}

const keyRejected: Rule = (line, input) => {
  const anthropic = /authentication_error|invalid x-api-key/i.test(line);
  const openai = /\b401\b[^]*Incorrect API key provided|invalid_api_key/.test(line);
  if (!anthropic && !openai) return null;
  const p = provider(line);
  // The provider's own message is not quoted: OpenAI's echoes part of the key.
  return {
    kind: 'key-rejected',
    reason: `The ${p.name} API rejected ${input.service}'s key (401: the key is wrong, revoked or expired).`,
    fix: `Enter a valid ${p.key} under Keys; ${input.service} uses the new key once it restarts.`,
    permanent: true,
  };
};

const quotaExceeded: Rule = (line, input) => {
  if (!/insufficient_quota|exceeded your current quota/i.test(line)) return null;
  const p = provider(line);
  return {
    kind: 'quota-exceeded',
    reason: `The ${p.name} account behind ${input.service}'s key has used up its quota (429 insufficient_quota); waiting will not help.`,
    fix: `Check the plan and billing of that ${p.name} account, or enter a key of an account with credit under Keys.`,
    permanent: true,
  };
};

const rateLimited: Rule = (line, input) => {
  if (!/\b429\b[^]*(rate_limit|rate limit)|rate_limit_error|rate_limit_exceeded/i.test(line)) {
    return null;
  }
  const p = provider(line);
  return {
    kind: 'rate-limited',
    reason: `The ${p.name} API is limiting ${input.service}'s requests (429 rate limit); this passes by itself.`,
    fix: `Wait a minute and try again. If it keeps happening, run fewer agents at once or ask ${p.name} for higher limits.`,
    permanent: false,
  };
};

const overloaded: Rule = (line) => {
  if (!/overloaded_error|\b529\b[^]*overloaded/i.test(line)) return null;
  return {
    kind: 'overloaded',
    reason:
      'The Anthropic API is overloaded for everyone right now (529); this is not a problem with your key or setup.',
    fix: 'Wait a few minutes and try again.',
    permanent: false,
  };
};

const nodeTooOld: Rule = (line, input) => {
  const needs = /Use Node(?:\.js)? >= ?v?(\d+(?:\.\d+)*)/i.exec(line);
  const noSqlite =
    /does not provide the built-in node:sqlite/.test(line) ||
    /No such built-in module: node:sqlite/.test(line);
  if (!needs && !noSqlite) return null;
  const version = /Node(?:\.js)? (v\d+\.\d+\.\d+)/.exec(line)?.[1];
  const want = needs?.[1] ?? '22.13';
  const found = version ? ` but was started with Node ${version}` : '';
  return {
    kind: 'node-too-old',
    reason: `${input.service} needs Node >= ${want}${found}.`,
    fix:
      `Choose a Node ${want} or newer in Settings → Programs → Node, ` +
      'or install one (for example `nvm install 22`) and restart the service.',
    permanent: true,
  };
};

const moduleNotFound: Rule = (line, input) => {
  if (/Could not locate the bindings file/.test(line)) {
    return {
      kind: 'module-not-found',
      reason: `${input.service} cannot load a native module (its compiled binding is missing): it was installed without running its install scripts.`,
      fix:
        `Reinstall ${input.service} normally (for example \`npm install -g @stigmer/runner-slim\`, ` +
        'without --ignore-scripts), or run `npm rebuild` in its install folder.',
      permanent: true,
    };
  }
  const m = /Cannot find module '([^']+)'/.exec(line) ?? /Cannot find package '([^']+)'/.exec(line);
  if (!m) return null;
  const name = m[1] ?? '';
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) {
    return {
      kind: 'module-not-found',
      reason: `${input.service} could not start: the file ${name} does not exist.`,
      fix: `Check the path set for ${input.service} in Settings → Programs, or reinstall it.`,
      permanent: true,
    };
  }
  return {
    kind: 'module-not-found',
    reason: `${input.service}'s installation is incomplete: the module '${name}' it needs is missing.`,
    fix: `Reinstall ${input.service} (for example \`npm install -g @stigmer/runner-slim\`), or point Settings → Programs at a complete install.`,
    permanent: true,
  };
};

const brokenPackage: Rule = (line, input) => {
  // @stigmer/runner-slim@3.8.0 ships workflow-bundle.js without the inline source map that the
  // Temporal worker requires of a prebuilt bundle (see failure-fixtures/README.md).
  if (!/Can't extract inlined source map from the provided Workflow Bundle/.test(line)) return null;
  return {
    kind: 'broken-package',
    reason:
      `${input.service} reached Temporal but could not start its worker: the workflow bundle in its ` +
      'package has no inline source map, which the Temporal worker requires. This install cannot work as it is.',
    fix:
      'Install another version of @stigmer/runner-slim, or set STIGMER_WORKFLOW_BUNDLE for this ' +
      'service to a workflow bundle that ends with an inline source map.',
    permanent: true,
  };
};

const permissionDenied: Rule = (line, input) => {
  const listen = /listen EACCES:? (?:permission denied )?(\S+)/.exec(line);
  if (listen) {
    return {
      kind: 'permission-denied',
      reason: `${input.service} is not allowed to listen on ${listen[1]} (permission denied; ports below 1024 need extra rights).`,
      fix: 'Use a port above 1024 in the stack file.',
      permanent: true,
    };
  }
  const spawn = /spawn (\S+) EACCES/.exec(line);
  if (spawn) {
    return {
      kind: 'permission-denied',
      reason: `${input.service} could not be started: ${spawn[1]} is not executable (permission denied).`,
      fix: `Make it executable (\`chmod +x ${spawn[1]}\`), or if it is a Node script, run it with Node by setting Settings → Programs → Node.`,
      permanent: true,
    };
  }
  const open = /EACCES: permission denied, \w+ '([^']+)'/.exec(line);
  if (open) {
    return {
      kind: 'permission-denied',
      reason: `${input.service} cannot read ${open[1]} (permission denied).`,
      fix: `Give your user access to it (for example \`chmod a+r ${open[1]}\`), or reinstall it as your own user.`,
      permanent: true,
    };
  }
  return null;
};

const portInUse: Rule = (line, input) => {
  const node = /EADDRINUSE: address already in use (\S+)/.exec(line);
  // Go programs (the Temporal CLI) say "listen tcp 127.0.0.1:7233: bind: address already in use".
  const go = /listen tcp (\S+): bind: address already in use/.exec(line);
  const at = node?.[1] ?? go?.[1];
  if (!at) return null;
  return {
    kind: 'port-in-use',
    reason: `${input.service} could not listen on ${at}: another program already uses that port.`,
    fix: `Stop the other program (it may be an earlier ${input.service} still running), or change the port in the stack file.`,
    // An earlier copy may be on its way out, so one retry can help; the same reason twice stops it.
    permanent: false,
  };
};

/** Most specific first: a line naming a missing module may also mention Temporal. */
const RULES: readonly Rule[] = [
  nodeTooOld,
  permissionDenied,
  moduleNotFound,
  brokenPackage,
  portInUse,
  temporalUnreachable,
  quotaExceeded,
  keyRejected,
  overloaded,
  rateLimited,
];

/**
 * Explains a failure from the service's output, or returns null when nothing known matches
 * (the caller then quotes the last line as before). The newest explaining line wins, so an old
 * API error earlier in the output does not mask the fatal error the process died of.
 */
export function explainFailure(input: FailureInput): FailureExplanation | null {
  for (let i = input.lines.length - 1; i >= 0; i--) {
    const raw = input.lines[i];
    if (!raw) continue;
    const line = raw.slice(0, MAX_MATCH_CHARS).replace(ANSI, '');
    if (/^\s+at /.test(line)) continue; // stack frames explain nothing
    for (const rule of RULES) {
      const hit = rule(line, input);
      if (hit) return { ...hit, evidence: evidence(line) };
    }
  }
  return null;
}

/** True when two explanations name the same cause: the second time, retrying is pointless. */
export function isSameFailure(a: FailureExplanation | null, b: FailureExplanation | null): boolean {
  return a !== null && b !== null && a.kind === b.kind && a.reason === b.reason;
}

/** Provider messages may echo part of a key (OpenAI: "sk-proj-****...MxYA"): never pass it on. */
const KEY_LIKE = /\b(?:sk|key)[-_][A-Za-z0-9*_-]{4,}/g;

function evidence(line: string): string {
  const t = line.trim().replace(KEY_LIKE, '[key hidden]');
  return t.length <= MAX_EVIDENCE_CHARS ? t : `${t.slice(0, MAX_EVIDENCE_CHARS - 1)}…`;
}
