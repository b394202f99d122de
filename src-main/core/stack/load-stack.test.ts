import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StackLoader } from './load-stack';
import { TempDirs, makeExecutable } from './test-fixtures';

const dirs = new TempDirs();
let userDataDir: string;
let loader: StackLoader;

beforeEach(async () => {
  userDataDir = await dirs.make();
  const home = await dirs.make('stigmer-home-');
  const temporal = await makeExecutable(path.join(home, 'temporal'));
  loader = new StackLoader({
    userDataDir,
    appEnv: { PATH: '/nonexistent', HOME: home },
    settings: { temporal },
    nodeExecutable: '/opt/node',
    nodeEnv: {},
    homeDir: home,
    platform: 'linux',
  });
});

afterEach(() => dirs.cleanup());

async function errorFor(yaml: string): Promise<string> {
  await writeFile(path.join(userDataDir, 'stack.yaml'), yaml);
  const { file } = await loader.load();
  if (file.error === null) throw new Error('expected the file to be rejected');
  return file.error;
}

describe('invalid stack files', () => {
  it('bad readiness shape: names the field and the allowed shapes', async () => {
    const error = await errorFor('services:\n  agent-runner:\n    readiness: { port: 7234 }\n');
    expect(error).toBe(
      'stack.yaml: services.agent-runner.readiness: expected one of {tcp: port}, {log: regex}, {http: url} or "none"; got {port: 7234}.',
    );
  });

  it('bad field inside a chosen readiness shape: names that field', async () => {
    const error = await errorFor(
      'services:\n  agent-runner:\n    readiness: { tcp: 7234, timeout: soon }\n',
    );
    expect(error).toContain('services.agent-runner.readiness.timeout: expected a duration');
    expect(error).toContain('"30s"');
    expect(error).toContain('got "soon"');
  });

  it('unknown field: names it and lists the allowed fields', async () => {
    const error = await errorFor('services:\n  stigmer-server:\n    comand: /bin/true\n');
    expect(error).toMatch(
      /^stack\.yaml: services\.stigmer-server\.comand: unknown field; allowed here: enabled, display_name, command, args/,
    );
    const nested = await errorFor(
      'services:\n  agent-runner:\n    readiness: { tcp: 1, port: 2 }\n',
    );
    expect(nested).toBe(
      'stack.yaml: services.agent-runner.readiness.port: unknown field; allowed here: tcp, host, timeout.',
    );
  });

  it('unknown depends_on: names the entry and the known services', async () => {
    const error = await errorFor(
      'services:\n  agent-runner:\n    depends_on: [stigmer-server, databse]\n',
    );
    expect(error).toBe(
      'stack.yaml: services.agent-runner.depends_on[1]: unknown service "databse"; known services: temporal, stigmer-server, agent-runner.',
    );
  });

  it('dependency cycle: names the cycle', async () => {
    const error = await errorFor('services:\n  temporal:\n    depends_on: [agent-runner]\n');
    expect(error).toBe(
      'stack.yaml: services.temporal.depends_on: dependency cycle temporal -> agent-runner -> stigmer-server -> temporal; remove one of these dependencies.',
    );
  });

  it('invalid regex: names the field and says what to write', async () => {
    const error = await errorFor(
      'services:\n  agent-runner:\n    readiness: { log: "Worker (ready" }\n',
    );
    expect(error).toContain(
      'stack.yaml: services.agent-runner.readiness.log: invalid regular expression',
    );
    expect(error).toContain('got "Worker (ready"');
  });

  it('port out of range: names the list entry and the range', async () => {
    const error = await errorFor('services:\n  stigmer-server:\n    ports: [7234, 70000]\n');
    expect(error).toBe(
      'stack.yaml: services.stigmer-server.ports[1]: expected a port number between 1 and 65535; got 70000.',
    );
  });

  it('YAML syntax error: gives line and column', async () => {
    const error = await errorFor('services:\n  agent-runner:\n    args: [a, b\n');
    expect(error).toMatch(/^stack\.yaml: line \d+, column \d+: .+; write YAML "name: value" pairs/);
  });

  it('duplicate service names, bad names, new services without command, keys in env', async () => {
    expect(
      await errorFor('services:\n  extra:\n    command: /bin/sh\n  extra:\n    command: /bin/sh\n'),
    ).toBe('stack.yaml: services.extra: duplicate service name; each service may appear once.');
    expect(await errorFor('services:\n  Bad_Name:\n    command: /bin/sh\n')).toContain(
      'services.Bad_Name: invalid service name; use lowercase letters, digits and "-"',
    );
    expect(await errorFor('services:\n  extra:\n    args: [x]\n')).toContain(
      'services.extra.command: required for a new service',
    );
    expect(
      await errorFor('services:\n  agent-runner:\n    env: { ANTHROPIC_API_KEY: sk-1 }\n'),
    ).toContain(
      'services.agent-runner.env.ANTHROPIC_API_KEY: secrets do not belong in the stack file',
    );
  });

  it('bad stop and restart values list what is allowed', async () => {
    const stop = await errorFor('services:\n  agent-runner:\n    stop: { signal: SIGSTOP }\n');
    expect(stop).toContain('services.agent-runner.stop.signal: expected one of SIGTERM, SIGINT');
    const shape = await errorFor('services:\n  agent-runner:\n    stop: SIGTERM\n');
    expect(shape).toContain(
      'services.agent-runner.stop: expected one of {signal: SIGTERM|SIGINT|...} or {stdin: message | null}; got "SIGTERM".',
    );
    const policy = await errorFor(
      'services:\n  agent-runner:\n    restart: { policy: sometimes }\n',
    );
    expect(policy).toContain(
      'services.agent-runner.restart.policy: expected on-failure, always or never; got "sometimes".',
    );
  });
});

describe('last good spec', () => {
  it('keeps the last good spec after a bad edit, and recovers after a fix', async () => {
    const file = path.join(userDataDir, 'stack.yaml');
    await writeFile(file, 'services:\n  stigmer-server:\n    ports: [9000]\n');
    const good = await loader.load();
    expect(good.file.error).toBeNull();

    await writeFile(file, 'services:\n  stigmer-server:\n    ports: [900000]\n');
    const bad = await loader.load();
    expect(bad.file).toMatchObject({ path: file, exists: true });
    expect(bad.file.error).toContain('services.stigmer-server.ports[0]');
    expect(bad.spec).toEqual(good.spec);

    await writeFile(file, 'services:\n  stigmer-server:\n    ports: [9001]\n');
    const fixed = await loader.load();
    expect(fixed.file.error).toBeNull();
    expect(fixed.spec.services.find((s) => s.name === 'stigmer-server')?.ports).toEqual([9001]);
  });

  it('falls back to the default stack when there never was a good file', async () => {
    await writeFile(path.join(userDataDir, 'stack.yaml'), 'services: [oops]\n');
    const { spec, file } = await loader.load();
    expect(file.error).toBe(
      'stack.yaml: services: expected a map of service name -> fields; got ["oops"].',
    );
    expect(spec.services.map((s) => s.name)).toEqual([
      'temporal',
      'stigmer-server',
      'agent-runner',
    ]);
    expect(loader.lastGood).toBeNull();
  });

  it('refuses two stack files side by side', async () => {
    await writeFile(path.join(userDataDir, 'stack.yaml'), 'services: {}\n');
    await writeFile(path.join(userDataDir, 'stack.json'), '{}');
    const { file } = await loader.load();
    expect(file.error).toContain('stack.yaml and stack.json both exist');
  });
});
