import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createWriteStream } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { filesContaining } from '../../../e2e/support/canary';
import type { AppCore } from '../app-core-types';
import { MemoryKeychain, coreInTemp, plantLogLine, unpack } from '../key-import/test-helpers';
import { writeBundle, type Manifest } from './bundle';

const cleanup: string[] = [];
let core: AppCore | undefined;
afterEach(async () => {
  await core?.shutdown();
  core = undefined;
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
});
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the diagnostics bundle', () => {
  it('holds every promised part, each file hashed in the manifest, the key only as a fingerprint', async () => {
    const made = await coreInTemp(new MemoryKeychain());
    core = made.core;
    cleanup.push(made.dir);
    const key = `sk-ant-canary-bundle-${randomBytes(20).toString('hex')}`;
    await core.handlers['secrets:set']({
      name: 'ANTHROPIC_API_KEY',
      value: key,
      remember: true,
      requireTouchId: false,
    });
    await plantLogLine(join(made.userData, 'logs'), 'stigmer-server', `token=${key} err`);
    const saved = await core.handlers['diagnostics:save'](undefined);
    expect(saved.path).toMatch(/diagnostics\/stigmer-local-diagnostics-\d{8}T\d{6}Z\.tar\.gz$/);
    expect((await stat(saved.path)).mode & 0o777).toBe(0o600);
    expect(saved.bytes).toBe((await stat(saved.path)).size);
    const { dir, files } = await unpack(saved.path);
    cleanup.push(dir);
    expect(files).toEqual(
      expect.arrayContaining([
        'manifest.json',
        'app.json',
        'stack.json',
        'settings.json',
        'services.json',
        'keychain.json',
        'env-names.json',
        'audit/tail.jsonl',
        'audit/verify.json',
        'logs/stigmer-server.log',
      ]),
    );
    expect(saved.files).toBe(files.length);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.files.map((f) => f.name).sort()).toEqual(
      files.filter((f) => f !== 'manifest.json'),
    );
    for (const entry of manifest.files) {
      const bytes = await readFile(join(dir, entry.name));
      expect([entry.name, sha(bytes), bytes.length]).toEqual([
        entry.name,
        entry.sha256,
        entry.bytes,
      ]);
    }
    expect(manifest.dropped).toEqual([]);
    const app = JSON.parse(await readFile(join(dir, 'app.json'), 'utf8'));
    expect(app.versions.node).toBe(process.versions.node);
    const stack = JSON.parse(await readFile(join(dir, 'stack.json'), 'utf8'));
    const runner = stack.services.find((s: { name: string }) => s.name === 'agent-runner');
    const fingerprint = (await core.handlers['secrets:snapshot'](undefined)).keys[0]!.fingerprint;
    expect(runner.keys).toContainEqual({ name: 'ANTHROPIC_API_KEY', required: true, fingerprint });
    expect(runner.env).toBeUndefined();
    expect(Array.isArray(runner.envNames)).toBe(true);
    expect(await readFile(join(dir, 'logs/stigmer-server.log'), 'utf8')).toContain(
      'token=[redacted:ANTHROPIC_API_KEY] err',
    );
    const verify = JSON.parse(await readFile(join(dir, 'audit/verify.json'), 'utf8'));
    expect(verify.ok).toBe(true);
    expect(await filesContaining(dir, key)).toEqual([]);
  });

  it('drops a file that still holds a known secret, and says why in the manifest', async () => {
    const out = await mkdtemp(join(tmpdir(), 'stigmer-bundle-'));
    cleanup.push(out);
    const secret = `secret-${randomBytes(12).toString('hex')}`;
    const saved = await writeBundle({
      dir: out,
      files: [
        { name: 'clean.json', content: '{"ok":true}\n', redacted: [] },
        { name: 'logs/leaky.log', content: `missed by every pattern: ${secret}\n`, redacted: [] },
      ],
      secrets: [{ name: 'CURSOR_API_KEY', value: secret }],
    });
    const { dir, files } = await unpack(saved.path);
    cleanup.push(dir);
    expect(files).toEqual(['clean.json', 'manifest.json']);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.dropped).toEqual([
      {
        name: 'logs/leaky.log',
        reason: 'It still held the value of CURSOR_API_KEY after redaction, so it was left out.',
      },
    ]);
    expect(await filesContaining(dir, secret)).toEqual([]);
  });

  it('leaves nothing half made when the disk fills up mid-write, and says so', async () => {
    const out = await mkdtemp(join(tmpdir(), 'stigmer-bundle-'));
    cleanup.push(out);
    // The real temp file is written until 64 bytes, then the "disk" is full.
    const fullAfter = (path: string) => {
      const file = createWriteStream(path, { flags: 'wx', mode: 0o600 });
      let written = 0;
      return new Writable({
        write(chunk: Buffer, _enc, done) {
          written += chunk.length;
          if (written > 64) {
            const error = Object.assign(new Error('ENOSPC: no space left on device'), {
              code: 'ENOSPC',
            });
            file.end(() => done(error));
            return;
          }
          file.write(chunk, done);
        },
      });
    };
    await expect(
      writeBundle({
        dir: out,
        files: [{ name: 'big.txt', content: randomBytes(64 * 1024).toString('hex'), redacted: [] }],
        secrets: [],
        openOutput: fullAfter,
      }),
    ).rejects.toThrow(
      /was not saved: the disk is full \(ENOSPC.*Nothing was left behind.*free some space/,
    );
    expect(await readdir(out)).toEqual([]);
  });
});
