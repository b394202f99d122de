import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar';
import { createAppCore } from '../app-core';
import type { AppCore } from '../app-core-types';
import { formatRecord } from '../logs';
import type { KeychainStore } from '../secrets';

/** A keychain that keeps entries in memory and says it is available (the OS one may not exist). */
export class MemoryKeychain implements KeychainStore {
  readonly backend = 'Secret Service' as const;
  readonly available = true;
  readonly reason = null;
  readonly entries = new Map<string, Buffer>();
  async get(name: string) {
    return this.entries.get(name) ?? null;
  }
  async set(name: string, value: Buffer) {
    this.entries.set(name, Buffer.from(value));
  }
  async delete(name: string) {
    return this.entries.delete(name);
  }
}

/**
 * A config.yaml as the Stigmer CLI's Save() writes it (yaml.v3, 4-space indent, its header),
 * plus a user's own comments, with `apiKey` under backend.local.llm.
 */
export function stigmerConfig(apiKey: string, provider = 'anthropic'): string {
  return [
    '# Stigmer CLI Configuration',
    '# For configuration options and examples, see:',
    '# https://github.com/stigmer/stigmer/blob/main/docs/cli/configuration.md',
    '',
    'backend:',
    '    type: local',
    '    local:',
    '        # my own note: switched to claude in March',
    '        llm:',
    `            provider: ${provider}`,
    '            model: claude-sonnet-4.5',
    `            api_key: ${apiKey}`,
    '            base_url: https://api.anthropic.com   # keep',
    '        temporal:',
    '            managed: true',
    '        execution:',
    '            mode: local',
    '            auto_pull: true',
    '            cleanup: true',
    '            ttl: 3600',
    '',
  ].join('\n');
}

/** A temp user data dir and home, and a core over them with no services installed. */
export async function coreInTemp(
  keychain: KeychainStore,
): Promise<{ core: AppCore; dir: string; home: string; userData: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'stigmer-import-'));
  const home = join(dir, 'home');
  const userData = join(dir, 'user-data');
  await mkdir(join(home, '.stigmer'), { recursive: true });
  await mkdir(join(userData, 'logs'), { recursive: true });
  const core = await createAppCore({
    userDataDir: userData,
    logDir: join(userData, 'logs'),
    env: { PATH: '/nonexistent' },
    host: 'browser',
    version: 'test',
    nodeExecutable: process.execPath,
    nodeEnv: {},
    homeDir: home,
    keychain,
    usageIntervalMs: 0,
  });
  return { core, dir, home, userData };
}

/** Writes a log file line the way the capture pipeline does (for a log that holds a key). */
export async function plantLogLine(logDir: string, service: string, text: string): Promise<void> {
  await writeFile(
    join(logDir, `${service}.log`),
    formatRecord(Date.now() - 60_000, 'stdout', 'info', 'lf', text),
    {
      mode: 0o600,
    },
  );
}

/** Unpacks a .tar.gz into a fresh folder and lists its files (relative paths). */
export async function unpack(file: string): Promise<{ dir: string; files: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'stigmer-unpack-'));
  await extract({ file, cwd: dir });
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
  return { dir, files };
}
