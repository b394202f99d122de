import { createHash, randomBytes } from 'node:crypto';
import { chmod, lstat, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filesContaining } from '../../../e2e/support/canary';
import type { AppCore } from '../app-core-types';
import { SessionOnlyStore } from '../secrets';
import { KeyImporter } from './key-importer';
import { MemoryKeychain, coreInTemp, plantLogLine, stigmerConfig, unpack } from './test-helpers';

const canary = (tag: string) => `sk-ant-canary-${tag}-${randomBytes(20).toString('hex')}`;
const openaiCanary = () => `sk-canaryopenai${randomBytes(16).toString('hex')}`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let core: AppCore | undefined;
const cleanup: string[] = [];
afterEach(async () => {
  await core?.shutdown();
  core = undefined;
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function setup(keychain = new MemoryKeychain()) {
  const made = await coreInTemp(keychain);
  core = made.core;
  cleanup.push(made.dir);
  return { ...made, keychain, h: made.core.handlers };
}

describe('importing plain-text keys', () => {
  it('moves keys from config.yaml and a .env into the keychain, removes only their lines, leaks the value nowhere', async () => {
    const { h, dir, home, userData, keychain } = await setup();
    const key = canary('yaml');
    const envKey = openaiCanary();
    const configPath = join(home, '.stigmer', 'config.yaml');
    const config = stigmerConfig(key);
    await writeFile(configPath, config, { mode: 0o600 });
    const envPath = join(dir, 'project.env');
    const env = `# project settings\r\nPORT=3000\r\nexport OPENAI_API_KEY="${envKey}"   # from the console\r\nDEBUG=1`;
    await writeFile(envPath, env);
    await chmod(envPath, 0o640);

    const scan = await h['secrets:import-scan']({ envFile: envPath });
    expect(scan.candidates.map((c) => [c.name, c.file, c.line, c.problem])).toEqual([
      ['ANTHROPIC_API_KEY', configPath, 12, null],
      ['OPENAI_API_KEY', envPath, 3, null],
    ]);
    expect(scan.candidates.every((c) => /^fp:[0-9a-f]{12}$/.test(c.fingerprint))).toBe(true);
    const result = await h['secrets:import']({
      ids: scan.candidates.map((c) => c.id),
      removeFromFile: true,
    });
    expect(result.outcomes.map((o) => [o.name, o.imported, o.removed, o.message])).toEqual([
      ['ANTHROPIC_API_KEY', true, true, null],
      ['OPENAI_API_KEY', true, true, null],
    ]);
    const anthropic = result.keys.keys.find((k) => k.name === 'ANTHROPIC_API_KEY')!;
    expect(anthropic).toMatchObject({ set: true, remembered: true });
    expect(anthropic.fingerprint).toBe(scan.candidates[0]!.fingerprint);
    expect(keychain.entries.get('ANTHROPIC_API_KEY')?.toString()).toBe(key);

    // The rest of each file is byte-identical: the original minus exactly the removed line.
    const expectedConfig = config
      .split('\n')
      .filter((_, i) => i !== 11)
      .join('\n');
    expect(await readFile(configPath, 'utf8')).toBe(expectedConfig);
    expect(await readFile(envPath, 'utf8')).toBe('# project settings\r\nPORT=3000\r\nDEBUG=1');
    expect((await stat(envPath)).mode & 0o777).toBe(0o640);
    expect((await stat(configPath)).mode & 0o777).toBe(0o600);

    // The journal says where each key came from, never what it was.
    const audit = await h['audit:list']({ types: ['key.imported'], limit: 10 });
    expect(
      audit.entries.map((e) => [
        e.key,
        e.fingerprint,
        e.detail.includes(configPath) || e.detail.includes(envPath),
      ]),
    ).toEqual([
      ['OPENAI_API_KEY', scan.candidates[1]!.fingerprint, true],
      ['ANTHROPIC_API_KEY', scan.candidates[0]!.fingerprint, true],
    ]);

    // A log line that printed the key before is redacted in the bundle, and nothing in it holds a key.
    await plantLogLine(join(userData, 'logs'), 'agent-runner', `connecting with ${key} now`);
    const saved = await h['diagnostics:save'](undefined);
    const { dir: unpacked, files } = await unpack(saved.path);
    cleanup.push(unpacked);
    expect(files).toContain('logs/agent-runner.log');
    expect(await readFile(join(unpacked, 'logs/agent-runner.log'), 'utf8')).toContain(
      '[redacted:ANTHROPIC_API_KEY]',
    );

    for (const value of [key, envKey]) {
      expect(await filesContaining(home, value)).toEqual([]);
      // The planted log is the test's own stand-in for an old log file; everything else is clean.
      const planted = join(userData, 'logs', 'agent-runner.log');
      expect((await filesContaining(dir, value)).filter((f) => f !== planted)).toEqual([]);
      expect(await filesContaining(unpacked, value)).toEqual([]);
      for (const reply of [scan, result, audit, saved])
        expect(JSON.stringify(reply)).not.toContain(value);
    }
  });

  it('leaves the file byte-identical without consent, and still imports', async () => {
    const { h, home } = await setup();
    const configPath = join(home, '.stigmer', 'config.yaml');
    await writeFile(configPath, stigmerConfig(canary('keep')));
    const before = await readFile(configPath);
    const scan = await h['secrets:import-scan']({});
    const result = await h['secrets:import']({
      ids: [scan.candidates[0]!.id],
      removeFromFile: false,
    });
    expect(result.outcomes[0]).toMatchObject({ imported: true, removed: false, message: null });
    expect(sha(await readFile(configPath))).toBe(sha(before));
  });

  it('edits the file a symlinked config points at and keeps the link', async () => {
    const { h, home, dir } = await setup();
    const target = join(dir, 'dotfiles-config.yaml');
    const text = stigmerConfig(canary('link'));
    await writeFile(target, text, { mode: 0o600 });
    await symlink(target, join(home, '.stigmer', 'config.yaml'));
    const scan = await h['secrets:import-scan']({});
    const result = await h['secrets:import']({
      ids: [scan.candidates[0]!.id],
      removeFromFile: true,
    });
    expect(result.outcomes[0]).toMatchObject({ imported: true, removed: true });
    expect((await lstat(join(home, '.stigmer', 'config.yaml'))).isSymbolicLink()).toBe(true);
    expect(await readFile(target, 'utf8')).toBe(
      text
        .split('\n')
        .filter((_, i) => i !== 11)
        .join('\n'),
    );
  });

  it('does not import a key that fails validation, and leaves its file untouched', async () => {
    const { h, home } = await setup();
    const configPath = join(home, '.stigmer', 'config.yaml');
    // provider anthropic, but the value is not an Anthropic key
    await writeFile(configPath, stigmerConfig('not-an-anthropic-key-0123456789abcdef0123456789'));
    const before = await readFile(configPath);
    const scan = await h['secrets:import-scan']({});
    expect(scan.candidates[0]!.problem).toMatch(/starts with "sk-ant-"/);
    const result = await h['secrets:import']({
      ids: [scan.candidates[0]!.id],
      removeFromFile: true,
    });
    expect(result.outcomes[0]).toMatchObject({ imported: false, removed: false });
    expect(result.outcomes[0]!.message).toMatch(/was not imported: .*sk-ant-/);
    expect(result.keys.keys.find((k) => k.name === 'ANTHROPIC_API_KEY')!.set).toBe(false);
    expect(sha(await readFile(configPath))).toBe(sha(before));
    expect((await h['audit:list']({ types: ['key.imported'], limit: 5 })).total).toBe(0);
  });

  it('refuses a file that changed between scan and import, with advice', async () => {
    const { h, home } = await setup();
    const configPath = join(home, '.stigmer', 'config.yaml');
    await writeFile(configPath, stigmerConfig(canary('changed')));
    const scan = await h['secrets:import-scan']({});
    const edited = `${stigmerConfig(canary('changed2'))}# edited meanwhile\n`;
    await writeFile(configPath, edited);
    const result = await h['secrets:import']({
      ids: [scan.candidates[0]!.id],
      removeFromFile: true,
    });
    expect(result.outcomes[0]).toMatchObject({ imported: false, removed: false });
    expect(result.outcomes[0]!.message).toMatch(/changed after it was scanned.*Scan again/);
    expect(await readFile(configPath, 'utf8')).toBe(edited);
    expect(result.keys.keys.find((k) => k.name === 'ANTHROPIC_API_KEY')!.set).toBe(false);
  });

  it('keeps the line when no keychain kept the key (it would be gone at quit)', async () => {
    const { h, home } = await setup(new SessionOnlyStore('No keychain in this test.') as never);
    const configPath = join(home, '.stigmer', 'config.yaml');
    await writeFile(configPath, stigmerConfig(canary('session')));
    const before = await readFile(configPath);
    const scan = await h['secrets:import-scan']({});
    const result = await h['secrets:import']({
      ids: [scan.candidates[0]!.id],
      removeFromFile: true,
    });
    expect(result.outcomes[0]).toMatchObject({ imported: true, removed: false });
    expect(result.outcomes[0]!.message).toMatch(/session only.*stays in the file/s);
    expect(sha(await readFile(configPath))).toBe(sha(before));
  });

  it('offers the first-run import once, and says which files it looked at', async () => {
    const { h, home } = await setup();
    await writeFile(join(home, '.stigmer', 'config.yaml'), stigmerConfig(canary('first')));
    const first = await h['secrets:import-scan']({ auto: true });
    expect(first.firstRun).toBe(true);
    expect(first.candidates).toHaveLength(1);
    expect((await h['secrets:import-scan']({ auto: true })).firstRun).toBe(false);
    const missing = await h['secrets:import-scan']({ envFile: '~/nowhere/.env' });
    expect(missing.sources.map((s) => [s.kind, s.status])).toEqual([
      ['stigmer-config', 'found'],
      ['dotenv', 'missing'],
    ]);
    await expect(h['secrets:import-scan']({ envFile: 'relative/.env' })).rejects.toThrow(
      /not a full path/,
    );
  });
});

describe('choosing the .env with the host file dialog', () => {
  it('scans the file the picker chose, scans none when cancelled, and explains where there is no picker', async () => {
    const { dir, home, userData } = await setup();
    const envPath = join(dir, 'picked.env');
    await writeFile(envPath, `OPENAI_API_KEY=${openaiCanary()}\n`);
    let answer: string | null = envPath;
    const deps = {
      homeDir: home,
      userDataDir: userData,
      fingerprint: () => 'fp:000000000000',
      store: async () => ({ remembered: true, notice: null }),
      journal: async () => undefined,
    };
    const importer = new KeyImporter({ ...deps, pickFile: async () => answer });
    const picked = await importer.scan({ pick: true });
    expect(picked.sources.map((s) => [s.kind, s.file, s.status])).toContainEqual([
      'dotenv',
      envPath,
      'found',
    ]);
    expect(picked.candidates.map((c) => c.name)).toEqual(['OPENAI_API_KEY']);
    answer = null;
    expect((await importer.scan({ pick: true })).sources.map((s) => s.kind)).toEqual([
      'stigmer-config',
    ]);
    await expect(new KeyImporter(deps).scan({ pick: true })).rejects.toThrow(
      /needs the desktop app; type the full path/,
    );
  });
});
