import { describe, expect, it } from 'vitest';
import { BASE_ENV_NAMES } from './base-env';
import { DEFAULT_RESTART, defaultStack } from './default-stack';
import { foundBinary } from './test-fixtures';

const appEnv = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/dev',
  USER: 'dev',
  LANG: 'en_US.UTF-8',
  TMPDIR: '/tmp',
  FOO_SECRET: 'hunter2',
  ANTHROPIC_API_KEY: 'sk-ant-xxx',
  OPENAI_API_KEY: 'sk-openai',
  NODE_OPTIONS: '--inspect',
  ELECTRON_RUN_AS_NODE: '1',
};

const binaries = {
  temporal: foundBinary('/opt/bin/temporal'),
  'stigmer-server': {
    command: '/opt/node',
    args: ['/opt/server/dist/main.js'],
    env: { ELECTRON_RUN_AS_NODE: '1' },
    searched: [],
  },
  'agent-runner': foundBinary('/opt/node', ['/opt/runner/main.js']),
};

function build(env: NodeJS.ProcessEnv = appEnv) {
  return defaultStack({ dataDir: '/data', appEnv: env, binaries, platform: 'linux' });
}

function service(name: string, env?: NodeJS.ProcessEnv) {
  const found = build(env).services.find((s) => s.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}

describe('defaultStack', () => {
  it('declares temporal, stigmer-server and agent-runner in start order', () => {
    const spec = build();
    expect(spec.services.map((s) => s.name)).toEqual([
      'temporal',
      'stigmer-server',
      'agent-runner',
    ]);
    expect(service('stigmer-server').dependsOn).toEqual(['temporal']);
    expect(service('agent-runner').dependsOn).toEqual(['stigmer-server', 'temporal']);
  });

  it('gives every child an explicit minimal env without secrets or NODE_OPTIONS', () => {
    for (const s of build().services) {
      expect(s.env.PATH).toBe('/usr/bin:/bin');
      expect(s.env.HOME).toBe('/home/dev');
      expect(s.env).not.toHaveProperty('FOO_SECRET');
      expect(s.env).not.toHaveProperty('ANTHROPIC_API_KEY');
      expect(s.env).not.toHaveProperty('OPENAI_API_KEY');
      expect(s.env).not.toHaveProperty('NODE_OPTIONS');
      expect(Object.keys(s.env).some((k) => k.endsWith('_API_KEY'))).toBe(false);
    }
    // Only the launch of a node script may set ELECTRON_RUN_AS_NODE, never the app env.
    expect(service('temporal').env).not.toHaveProperty('ELECTRON_RUN_AS_NODE');
    expect(service('stigmer-server').env.ELECTRON_RUN_AS_NODE).toBe('1');
    const temporalExtra = Object.keys(service('temporal').env).filter(
      (k) => !(BASE_ENV_NAMES as readonly string[]).includes(k),
    );
    expect(temporalExtra).toEqual([]);
  });

  it('sets the server and runner env the real Stigmer processes expect', () => {
    expect(service('stigmer-server').env).toMatchObject({
      GRPC_PORT: '7234',
      TEMPORAL_HOST_PORT: 'localhost:7233',
      DB_PATH: '/data/db',
      STORAGE_PATH: '/data/storage',
    });
    const runner = service('agent-runner');
    expect(runner.env).toMatchObject({
      MODE: 'local',
      STIGMER_BACKEND_ENDPOINT: 'http://localhost:7234',
      TEMPORAL_SERVICE_ADDRESS: 'localhost:7233',
      TEMPORAL_NAMESPACE: 'default',
      STIGMER_TASK_QUEUE: 'stigmer_runner',
      WORKSPACE_ROOT_DIR: '/data/workspace',
    });
    expect(runner.cwd).toBe('/data/workspace');
    expect(runner.keys).toEqual([
      { name: 'ANTHROPIC_API_KEY', required: true },
      { name: 'OPENAI_API_KEY', required: false },
      { name: 'CURSOR_API_KEY', required: false },
    ]);
  });

  it('launches temporal start-dev and node scripts with their script as first arg', () => {
    const temporal = service('temporal');
    expect(temporal.command).toBe('/opt/bin/temporal');
    expect(temporal.args).toEqual([
      'server',
      'start-dev',
      '--port',
      '7233',
      '--ui-port',
      '8233',
      '--db-filename',
      '/data/temporal.db',
      '--log-format',
      'json',
    ]);
    expect(service('agent-runner').command).toBe('/opt/node');
    expect(service('agent-runner').args).toEqual(['/opt/runner/main.js']);
  });

  it('uses the documented readiness, stop, criticality, ports and restart policy', () => {
    const temporal = service('temporal');
    const server = service('stigmer-server');
    const runner = service('agent-runner');
    expect(temporal.readiness).toEqual({
      kind: 'tcp',
      port: 7233,
      host: 'localhost',
      timeoutMs: 10_000,
    });
    expect(server.readiness).toEqual({
      kind: 'tcp',
      port: 7234,
      host: 'localhost',
      timeoutMs: 30_000,
    });
    expect(runner.readiness).toMatchObject({
      kind: 'log',
      pattern: 'Worker ready, polling for tasks',
    });
    expect(temporal.stop).toEqual({ kind: 'signal', signal: 'SIGTERM', graceMs: 10_000 });
    expect(server.stop).toEqual({ kind: 'signal', signal: 'SIGTERM', graceMs: 5_000 });
    expect(runner.stop).toEqual({ kind: 'signal', signal: 'SIGTERM', graceMs: 5_000 });
    expect([temporal.critical, server.critical, runner.critical]).toEqual([true, true, false]);
    expect(server.ports).toEqual([7234, 7235]);
    expect(runner.restart).toEqual(DEFAULT_RESTART);
    expect(DEFAULT_RESTART).toMatchObject({
      crashLoopCount: 5,
      initialBackoffMs: 1_000,
      maxBackoffMs: 30_000,
    });
  });

  it('leaves temporal out and points at the external one when TEMPORAL_SERVICE_ADDRESS is set', () => {
    const env = { ...appEnv, TEMPORAL_SERVICE_ADDRESS: 'temporal.internal:7233' };
    const spec = build(env);
    expect(spec.services.map((s) => s.name)).toEqual(['stigmer-server', 'agent-runner']);
    expect(service('agent-runner', env).env.TEMPORAL_SERVICE_ADDRESS).toBe(
      'temporal.internal:7233',
    );
    expect(service('agent-runner', env).dependsOn).toEqual(['stigmer-server']);
    expect(service('stigmer-server', env).env.TEMPORAL_HOST_PORT).toBe('temporal.internal:7233');
    expect(service('stigmer-server', env).dependsOn).toEqual([]);
  });

  it('keeps a missing binary as command null with the places searched', () => {
    const spec = defaultStack({
      dataDir: '/data',
      appEnv,
      platform: 'linux',
      binaries: {
        ...binaries,
        temporal: { command: null, args: [], env: {}, searched: ['a', 'b'] },
      },
    });
    expect(spec.services[0]).toMatchObject({ command: null, searched: ['a', 'b'] });
    expect(spec.services[0]?.args[0]).toBe('server');
  });
});
