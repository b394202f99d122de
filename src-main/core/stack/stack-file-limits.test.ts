import { execFileSync } from 'node:child_process';
import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StackLoader, type StackLoadResult } from './load-stack';
import { parseStackFile } from './stack-file';
import { StackFileError } from './stack-file-errors';
import { TempDirs, makeExecutable } from './test-fixtures';

const dirs = new TempDirs();
let userDataDir: string;
let stackFile: string;
let loader: StackLoader;
/** The spec loaded from a valid file first, so every test checks that it is kept. */
let good: StackLoadResult;

beforeEach(async () => {
  userDataDir = await dirs.make();
  stackFile = path.join(userDataDir, 'stack.yaml');
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
  await writeFile(stackFile, 'services:\n  stigmer-server:\n    ports: [9000]\n');
  good = await loader.load();
  expect(good.file.error).toBeNull();
});

afterEach(() => dirs.cleanup());

/** Loads again (as a reload does); the file must be rejected and the last good spec kept. */
async function rejected(): Promise<string> {
  const result = await loader.load();
  expect(result.file).toMatchObject({ path: stackFile, exists: true });
  expect(result.spec).toEqual(good.spec);
  expect(result.file.error).not.toBeNull();
  return result.file.error ?? '';
}

const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((k, i) => {
    const prev = 'abcdefghi'[i] as string;
    return `${k}: &${k} [${Array(9).fill(`*${prev}`).join(',')}]`;
  }),
  '',
].join('\n');

describe('stack file limits (real files, loaded as at start and on reload)', () => {
  it('200 aliases: a file error naming the aliases, last good stack kept', async () => {
    await writeFile(stackFile, `x: &x v\ny: [${Array(200).fill('*x').join(', ')}]\n`);
    expect(await rejected()).toMatch(
      /^stack\.yaml: uses YAML aliases \(\*name\) too much: more than 100/,
    );
  });

  it('billion laughs: the same file error, without expanding it', async () => {
    await writeFile(stackFile, billionLaughs);
    expect(await rejected()).toContain('"billion laughs"');
  });

  it('an alias inside its own anchor (a cycle) is refused by the schema, not a crash', async () => {
    await writeFile(stackFile, 'services:\n  extra: &a\n    command: /bin/sh\n    args: [*a]\n');
    expect(await rejected()).toContain('services.extra.args[0]');
  });

  it('10,000-deep nesting, flow, block and JSON: refused before the parser recurses', async () => {
    for (const text of [
      `services: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
      // Indented block maps: 1,000 levels already take 500 KB (10,000 would be 48 MB).
      Array.from({ length: 1_000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n',
      `${'- '.repeat(10_000)}x\n`,
      `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
    ]) {
      await writeFile(stackFile, text);
      expect(await rejected()).toMatch(/^stack\.yaml: line \d+: nested more than 64 levels deep/);
    }
  });

  it('200,000-deep block sequence (400 KB, kills the yaml parser by memory) is refused', async () => {
    // Measured: yaml's parseDocument on this text grows past 570 MB and aborts the process.
    await writeFile(stackFile, `${'- '.repeat(200_000)}x\n`);
    expect(await rejected()).toContain('nested more than 64 levels deep');
  });

  it('realistic nesting passes the nesting check', () => {
    const text =
      'services:\n  extra:\n    command: /bin/sh\n    restart: { policy: always, crash_loop: { count: 3, window: 1m } }\n    keys:\n      - { name: MY_TOKEN, required: true }\n';
    expect(parseStackFile(text, 'stack.yaml').services?.extra?.command).toBe('/bin/sh');
  });

  it('a 2 MB file: says its size and the 1 MB limit, without parsing it', async () => {
    await writeFile(stackFile, `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    expect(await rejected()).toMatch(
      /^stack\.yaml: is 2\.0 MB, more than the 1 MB a stack file may be/,
    );
  });

  it('exactly 1 MB of valid YAML is still read', async () => {
    const head = 'services:\n  stigmer-server:\n    ports: [9002]\n';
    await writeFile(stackFile, head + '#'.repeat(1024 * 1024 - head.length - 1) + '\n');
    const result = await loader.load();
    expect(result.file.error).toBeNull();
  });

  it('a folder at the path: a file error, not "no file"', async () => {
    await rm(stackFile);
    await mkdir(stackFile);
    expect(await rejected()).toMatch(
      /^stack\.yaml: is a folder, not a file; .*Remove or rename it/,
    );
  });

  it('a FIFO at the path: a file error, and the load does not block on it', async () => {
    await rm(stackFile);
    execFileSync('mkfifo', [stackFile]);
    expect(await rejected()).toMatch(/^stack\.yaml: is a named pipe \(FIFO\), not a file/);
  });

  it('a dangling symlink at the path: names the link', async () => {
    await rm(stackFile);
    await symlink(path.join(userDataDir, 'gone.yaml'), stackFile);
    expect(await rejected()).toMatch(/^stack\.yaml: is a link that cannot be followed \(ENOENT/);
  });

  it('binary garbage: says it is not text and where', async () => {
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    await writeFile(stackFile, Buffer.concat([Buffer.from('services:\n'), junk]));
    expect(await rejected()).toMatch(
      /^stack\.yaml: is not text \(byte 0x[0-9a-f]{2} at line 2, column \d+\)/,
    );
    // Invalid UTF-8 without control bytes.
    await writeFile(stackFile, Buffer.from([0x61, 0x3a, 0x20, 0xc3, 0x28, 0x0a]));
    expect(await rejected()).toMatch(
      /^stack\.yaml: is not UTF-8 text \(invalid bytes at line 1, column 4\)/,
    );
  });

  it('an unreadable file: says so (skipped as root, where chmod does not stop reads)', async (ctx) => {
    if (process.getuid?.() === 0 || process.platform === 'win32') ctx.skip();
    await chmod(stackFile, 0o000);
    expect(await rejected()).toMatch(/^stack\.yaml: cannot be read \(EACCES/);
  });

  it('parseStackFile throws only StackFileError, whatever the text', () => {
    for (const text of [billionLaughs, `${'['.repeat(100_000)}`, '\t- : [ {', '&a [*a]']) {
      expect(() => parseStackFile(text, 'stack.yaml')).toThrow(StackFileError);
    }
  });

  it('duplicate keys are still found (own linear check; the library one is quadratic)', async () => {
    await writeFile(stackFile, 'services:\n  agent-runner:\n    env: { A: "1", A: "2" }\n');
    expect(await rejected()).toBe(
      'stack.yaml: line 3, column 20: Map keys must be unique; each field may appear once.',
    );
  });

  it('after any of these, fixing the file loads it again', async () => {
    await writeFile(stackFile, billionLaughs);
    await rejected();
    await writeFile(stackFile, 'services:\n  stigmer-server:\n    ports: [9001]\n');
    const fixed = await loader.load();
    expect(fixed.file.error).toBeNull();
    expect(fixed.spec.services.find((s) => s.name === 'stigmer-server')?.ports).toEqual([9001]);
  });
});
