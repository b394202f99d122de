import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  explainFailure,
  isSameFailure,
  type FailureExplanation,
  type FailureKind,
} from './failure-knowledge';

const FIXTURES = join(import.meta.dirname, 'failure-fixtures');

interface Meta {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  service: string;
  env?: Record<string, string>;
}

/** A captured run as the supervisor would see it: stdout's lines, then stderr's. */
function load(name: string) {
  const dir = join(FIXTURES, name);
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta;
  const text = (f: string) => readFileSync(join(dir, f), 'utf8').split('\n');
  const lines = [...text('stdout.txt'), ...text('stderr.txt')].filter((l) => l !== '');
  return { meta, lines };
}

function explain(name: string): FailureExplanation | null {
  const { meta, lines } = load(name);
  return explainFailure({
    lines,
    exitCode: meta.exitCode,
    signal: meta.signal,
    service: meta.service,
    env: meta.env,
  });
}

interface Expected {
  kind: FailureKind;
  permanent: boolean;
  /** Words the reason must contain, so the user sees the specifics (address, version, path). */
  says: string[];
}

const EXPECTED: Record<string, Expected> = {
  'node-too-old': {
    kind: 'node-too-old',
    permanent: true,
    says: ['agent-runner needs Node >= 22.13', 'Node v20.20.2'],
  },
  'temporal-refused': {
    kind: 'temporal-unreachable',
    permanent: false,
    says: ['Temporal at 127.0.0.1:7233', 'connection refused'],
  },
  'temporal-timeout': {
    kind: 'temporal-unreachable',
    permanent: false,
    says: ['127.0.0.1:17233', 'TEMPORAL_SERVICE_ADDRESS', 'timed out'],
  },
  'temporal-timeout-sigterm': {
    kind: 'temporal-unreachable',
    permanent: false,
    says: ['127.0.0.1:17233', 'timed out'],
  },
  'native-bindings-missing': {
    kind: 'module-not-found',
    permanent: true,
    says: ['native module', 'install scripts'],
  },
  'module-not-found-bridge': {
    kind: 'module-not-found',
    permanent: true,
    says: ["'@grpc/grpc-js'"],
  },
  'module-not-found-jq': { kind: 'module-not-found', permanent: true, says: ["'jq-wasm'"] },
  'permission-denied-read': {
    kind: 'permission-denied',
    permanent: true,
    says: ['cannot read /tmp/cap/perm/main.js'],
  },
  'permission-denied-spawn': {
    kind: 'permission-denied',
    permanent: true,
    says: ['/tmp/cap/perm/main-noexec.js is not executable'],
  },
  'port-in-use': { kind: 'port-in-use', permanent: false, says: ['127.0.0.1:17234'] },
  'api-anthropic-401': { kind: 'key-rejected', permanent: true, says: ['Anthropic', '401'] },
  'api-openai-401': { kind: 'key-rejected', permanent: true, says: ['OpenAI', '401'] },
  'api-openai-429-quota': { kind: 'quota-exceeded', permanent: true, says: ['OpenAI', 'quota'] },
  'api-anthropic-429': { kind: 'rate-limited', permanent: false, says: ['Anthropic', '429'] },
  'api-anthropic-529': { kind: 'overloaded', permanent: false, says: ['Anthropic', '529'] },
  'workflow-bundle-no-sourcemap': {
    kind: 'broken-package',
    permanent: true,
    says: ['reached Temporal', 'source map'],
  },
};

/** Captures of runs that did not fail: nothing may be "explained" in them. */
const HEALTHY = ['worker-ready-sigterm'];

describe('explainFailure on output captured from the real runner and SDKs', () => {
  it('has an expectation for every captured fixture (a new capture cannot go untested)', () => {
    const dirs = readdirSync(FIXTURES).filter((d) => statSync(join(FIXTURES, d)).isDirectory());
    expect(dirs.sort()).toEqual([...Object.keys(EXPECTED), ...HEALTHY].sort());
  });

  for (const [name, want] of Object.entries(EXPECTED)) {
    it(`${name} -> ${want.kind}${want.permanent ? ' (permanent)' : ''}`, () => {
      const got = explain(name);
      expect(got).not.toBeNull();
      expect(got?.kind).toBe(want.kind);
      expect(got?.permanent).toBe(want.permanent);
      for (const words of want.says) expect(got?.reason).toContain(words);
      expect(got?.fix.length).toBeGreaterThan(20);
      expect(got?.evidence.length).toBeLessThanOrEqual(300);
    });
  }

  it('names the fix a user can act on for the cases the issue lists', () => {
    expect(explain('node-too-old')?.fix).toContain('Settings → Programs → Node');
    expect(explain('node-too-old')?.fix).toContain('nvm install 22');
    expect(explain('temporal-refused')?.fix).toContain('temporal server start-dev');
    expect(explain('api-anthropic-401')?.fix).toContain('ANTHROPIC_API_KEY');
    expect(explain('api-openai-401')?.fix).toContain('OPENAI_API_KEY');
  });

  it('never passes on the part of a key that a provider echoes', () => {
    const got = explain('api-openai-401');
    const raw = load('api-openai-401').lines.join('\n');
    expect(raw).toContain('sk-not-a*****-key'); // the fixture does echo it
    expect(JSON.stringify(got)).not.toContain('sk-not-a');
    expect(got?.evidence).toContain('[key hidden]');
  });

  it('reads the Temporal address for a timeout from the service env, defaulting to localhost:7233', () => {
    const { lines } = load('temporal-timeout');
    const base = { lines, exitCode: 1, signal: null, service: 'agent-runner' };
    expect(
      explainFailure({
        ...base,
        env: { TEMPORAL_SERVICE_ADDRESS: 'temporal.internal.example:7233' },
      })?.reason,
    ).toContain('temporal.internal.example:7233');
    expect(explainFailure(base)?.reason).toContain('localhost:7233');
  });

  it('uses the service name it is given', () => {
    const { lines } = load('port-in-use');
    const got = explainFailure({ lines, exitCode: 1, signal: null, service: 'stigmer-server' });
    expect(got?.reason).toMatch(/^stigmer-server could not listen on 127\.0\.0\.1:17234/);
  });
});

describe('explainFailure on output that explains nothing', () => {
  it('returns null for the runner start-up lines alone', () => {
    const { lines } = load('temporal-refused');
    const startup = lines.filter((l) => !/Fatal error|^\s+at /.test(l));
    expect(startup.length).toBeGreaterThan(2);
    expect(
      explainFailure({ lines: startup, exitCode: 1, signal: null, service: 'agent-runner' }),
    ).toBeNull();
  });

  it.each(HEALTHY)(
    'returns null for the healthy run %s (ready, then a clean SIGTERM stop)',
    (name) => {
      expect(load(name).lines.some((l) => l.includes('Worker ready, polling for tasks'))).toBe(
        true,
      );
      expect(explain(name)).toBeNull();
    },
  );

  it('returns null for no output at all', () => {
    expect(
      explainFailure({ lines: [], exitCode: null, signal: 'SIGKILL', service: 'x' }),
    ).toBeNull();
  });

  it('lets the newest explaining line win over an older API error in the same output', () => {
    const older = load('api-anthropic-429').lines;
    const fatal = load('temporal-refused').lines;
    const got = explainFailure({
      lines: [...older, ...fatal],
      exitCode: 1,
      signal: null,
      service: 'agent-runner',
    });
    expect(got?.kind).toBe('temporal-unreachable');
    const reversed = explainFailure({
      lines: [...fatal, ...older],
      exitCode: 1,
      signal: null,
      service: 'agent-runner',
    });
    expect(reversed?.kind).toBe('rate-limited');
  });

  it('matches through ANSI colour codes', () => {
    const line = load('port-in-use').lines.find((l) => l.includes('EADDRINUSE')) ?? '';
    const coloured = `\u001b[31m${line}\u001b[39m`;
    const got = explainFailure({ lines: [coloured], exitCode: 1, signal: null, service: 's' });
    expect(got?.kind).toBe('port-in-use');
  });
});

describe('isSameFailure', () => {
  it('is true for the same cause twice and false otherwise', () => {
    const a = explain('temporal-refused');
    const b = explain('temporal-refused');
    expect(isSameFailure(a, b)).toBe(true);
    expect(isSameFailure(a, explain('temporal-timeout'))).toBe(false);
    expect(isSameFailure(a, null)).toBe(false);
    expect(isSameFailure(null, null)).toBe(false);
  });
});
