import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDuration } from './durations';
import { StackLoader } from './load-stack';
import { parseStackFile } from './stack-file';
import { TempDirs, makeExecutable, makeScript } from './test-fixtures';
import type { ServiceSpec, StackSpec } from './types';

const dirs = new TempDirs();
let userDataDir: string;
let home: string;
let temporalBin: string;

async function loader(appEnv: NodeJS.ProcessEnv = {}): Promise<StackLoader> {
  return new StackLoader({
    userDataDir,
    appEnv: {
      PATH: path.join(home, 'no-such-dir'),
      HOME: home,
      ANTHROPIC_API_KEY: 'sk-x',
      ...appEnv,
    },
    settings: { temporal: temporalBin },
    nodeExecutable: '/opt/node',
    nodeEnv: { ELECTRON_RUN_AS_NODE: '1' },
    nodeVersion: '22.13.0', // an Electron whose Node any script here accepts
    homeDir: home,
    platform: 'linux',
  });
}

function get(spec: StackSpec, name: string): ServiceSpec {
  const found = spec.services.find((s) => s.name === name);
  if (!found)
    throw new Error(`no service ${name} in ${spec.services.map((s) => s.name).join(', ')}`);
  return found;
}

beforeEach(async () => {
  userDataDir = await dirs.make();
  home = await dirs.make('stigmer-home-');
  temporalBin = await makeExecutable(path.join(home, 'tools', 'temporal'));
});

afterEach(() => dirs.cleanup());

describe('parseDuration', () => {
  it('reads ms numbers and ms/s/m/h strings', () => {
    expect([parseDuration(250), parseDuration('500ms'), parseDuration('30s')]).toEqual([
      250, 500, 30_000,
    ]);
    expect([parseDuration('2m'), parseDuration('1.5s'), parseDuration('1h')]).toEqual([
      120_000, 1_500, 3_600_000,
    ]);
    expect([parseDuration('30'), parseDuration('5 days'), parseDuration(-1)]).toEqual([
      null,
      null,
      null,
    ]);
  });
});

describe('stack file', () => {
  it('without a file, loads the default stack and says where the file would go', async () => {
    const { spec, file } = await (await loader()).load();
    expect(spec.services.map((s) => s.name)).toEqual([
      'temporal',
      'stigmer-server',
      'agent-runner',
    ]);
    expect(file).toEqual({
      path: path.join(userDataDir, 'stack.yaml'),
      exists: false,
      error: null,
    });
    expect(get(spec, 'temporal').command).toBe(temporalBin);
    expect(get(spec, 'stigmer-server').command).toBeNull();
  });

  it('adds, overrides and disables services (YAML)', async () => {
    const tool = await makeExecutable(path.join(userDataDir, 'bin', 'metrics'));
    await writeFile(
      path.join(userDataDir, 'stack.yaml'),
      `services:
  temporal:
    enabled: false
  stigmer-server:
    env: { GRPC_PORT: "9000", DB_PATH: null }
    readiness: { tcp: 9000, timeout: 45s }
    ports: [9000]
  metrics:
    display_name: Metrics
    command: ./bin/metrics
    args: [--port, "9100"]
    cwd: work
    env: { LOG_LEVEL: debug }
    depends_on: [stigmer-server, temporal]
    readiness: { http: "http://localhost:9100/health", timeout: 2m }
    restart: { policy: always, backoff: 500ms, crash_loop: { count: 3, window: 1m } }
    stop: { stdin: null, grace: 1500 }
    critical: true
    keys: [OPENAI_API_KEY, { name: MY_TOKEN, required: true }]
`,
    );
    const { spec, file } = await (await loader()).load();
    expect(file).toMatchObject({ exists: true, error: null });
    expect(spec.services.map((s) => s.name)).toEqual(['stigmer-server', 'agent-runner', 'metrics']);
    const server = get(spec, 'stigmer-server');
    expect(server.env.GRPC_PORT).toBe('9000');
    expect(server.env).not.toHaveProperty('DB_PATH');
    expect(server.env.STORAGE_PATH).toBeDefined();
    expect(server.readiness).toEqual({
      kind: 'tcp',
      port: 9000,
      host: 'localhost',
      timeoutMs: 45_000,
    });
    expect(server.stop).toEqual({ kind: 'signal', signal: 'SIGTERM', graceMs: 5_000 });
    expect(server.dependsOn).toEqual([]);
    expect(get(spec, 'agent-runner').dependsOn).toEqual(['stigmer-server']);

    const metrics = get(spec, 'metrics');
    expect(metrics).toMatchObject({
      displayName: 'Metrics',
      command: tool,
      args: ['--port', '9100'],
      cwd: path.join(userDataDir, 'work'),
      dependsOn: ['stigmer-server'],
      readiness: { kind: 'http', url: 'http://localhost:9100/health', timeoutMs: 120_000 },
      restart: {
        policy: 'always',
        initialBackoffMs: 500,
        maxBackoffMs: 30_000,
        crashLoopCount: 3,
        crashLoopWindowMs: 60_000,
      },
      stop: { kind: 'stdin', message: null, graceMs: 1_500 },
      critical: true,
      keys: [
        { name: 'OPENAI_API_KEY', required: false },
        { name: 'MY_TOKEN', required: true },
      ],
    });
    expect(metrics.env.LOG_LEVEL).toBe('debug');
    expect(metrics.env.HOME).toBe(home);
    expect(metrics.env).not.toHaveProperty('ANTHROPIC_API_KEY');
  });

  it('reads stack.json, runs .js commands under node and keeps temporal args on a new binary', async () => {
    const script = await makeScript(path.join(userDataDir, 'server.mjs'));
    const other = await makeExecutable(path.join(userDataDir, 'temporal-2'));
    await writeFile(
      path.join(userDataDir, 'stack.json'),
      JSON.stringify({
        services: {
          temporal: { command: other },
          'stigmer-server': { command: 'server.mjs', args: ['--verbose'] },
          'agent-runner': {
            readiness: { log: 'ready\\s+now', stream: 'stderr' },
            stop: { signal: 'SIGINT' },
          },
        },
      }),
    );
    const { spec, file } = await (await loader()).load();
    expect(file).toMatchObject({ path: path.join(userDataDir, 'stack.json'), error: null });
    expect(get(spec, 'temporal')).toMatchObject({
      command: other,
      args: expect.arrayContaining(['start-dev']),
    });
    const server = get(spec, 'stigmer-server');
    expect(server).toMatchObject({ command: '/opt/node', args: [script, '--verbose'] });
    expect(server.env.ELECTRON_RUN_AS_NODE).toBe('1');
    expect(get(spec, 'agent-runner')).toMatchObject({
      readiness: { kind: 'log', pattern: 'ready\\s+now', stream: 'stderr', timeoutMs: 30_000 },
      stop: { kind: 'signal', signal: 'SIGINT', graceMs: 5_000 },
    });
  });

  it('keeps a user command that does not exist as command null with where it looked', async () => {
    await writeFile(
      path.join(userDataDir, 'stack.yaml'),
      'services:\n  temporal:\n    command: ./nope\n',
    );
    const { spec, file } = await (await loader()).load();
    expect(file.error).toBeNull();
    expect(get(spec, 'temporal')).toMatchObject({
      command: null,
      searched: [`stack.yaml: ${path.join(userDataDir, 'nope')} (not found)`],
    });
  });

  it('omits temporal for an external Temporal and accepts depends_on on it', async () => {
    await writeFile(
      path.join(userDataDir, 'stack.yaml'),
      'services:\n  extra:\n    command: /bin/sh\n    depends_on: [temporal]\n',
    );
    const { spec, file } = await (await loader({ TEMPORAL_SERVICE_ADDRESS: 'remote:7233' })).load();
    expect(file.error).toBeNull();
    expect(spec.services.map((s) => s.name)).toEqual(['stigmer-server', 'agent-runner', 'extra']);
    expect(get(spec, 'extra').dependsOn).toEqual([]);
    expect(get(spec, 'agent-runner').env.TEMPORAL_SERVICE_ADDRESS).toBe('remote:7233');
  });
});

describe('docs/stack-file.md', () => {
  it('its example is a valid stack file', async () => {
    const doc = await readFile(
      path.resolve(import.meta.dirname, '../../../docs/stack-file.md'),
      'utf8',
    );
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const config = parseStackFile(example ?? '', 'stack.yaml');
    expect(Object.keys(config.services ?? {})).toEqual([
      'temporal',
      'stigmer-server',
      'agent-runner',
    ]);
    await writeFile(path.join(userDataDir, 'stack.yaml'), example ?? '');
    const { spec, file } = await (await loader()).load();
    expect(file.error).toBeNull();
    expect(spec.services.map((s) => s.name)).toEqual(['stigmer-server', 'agent-runner']);
    expect(get(spec, 'agent-runner').dependsOn).toEqual(['stigmer-server']);
  });
});
