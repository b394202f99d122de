import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { create as createTar } from 'tar';
import { UserError } from '../../../src-shared/model/errors';
import { describeWriteFailure } from '../durable-file';
import { ensurePrivateDir } from '../private-files';
import type { BundleFile } from './collect';

/** One file's line in manifest.json. */
export interface ManifestFile {
  name: string;
  bytes: number;
  sha256: string;
  redacted: string[];
}

/** manifest.json: every file with its hash and size, and every file left out and why. */
export interface Manifest {
  format: 1;
  generatedAt: string;
  files: ManifestFile[];
  dropped: { name: string; reason: string }[];
}

/** Options of writeBundle. */
export interface WriteBundleOptions {
  /** Folder the bundle goes into (created 0700). */
  dir: string;
  files: BundleFile[];
  /** Every secret value known now (name and value), for the final scan of each file. */
  secrets: readonly { name: string; value: string }[];
  now?: Date;
  /** Opens the temp file the archive is streamed into (tests pass one that fails mid-way). */
  openOutput?: (path: string) => Writable;
}

/** "20261129T011500Z": sortable, and valid in a file name on every OS (no colons). */
export function bundleName(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `stigmer-local-diagnostics-${stamp}.tar.gz`;
}

/** The names of the secrets whose value occurs in `content`. */
function secretsIn(content: string, secrets: WriteBundleOptions['secrets']): string[] {
  return [
    ...new Set(
      secrets.filter((s) => s.value.length > 0 && content.includes(s.value)).map((s) => s.name),
    ),
  ];
}

/**
 * Packs `files` and a manifest into one .tar.gz as a transaction: files are staged in a private
 * folder, each scanned for every known secret value (a hit drops the file, and the manifest
 * says why), streamed into a temp file beside the target, fsynced, then renamed. On any failure
 * (a full disk) the temp file and the stage are removed and nothing half made is left.
 */
export async function writeBundle(
  options: WriteBundleOptions,
): Promise<{ path: string; bytes: number; files: number; manifest: Manifest }> {
  const now = options.now ?? new Date();
  await ensurePrivateDir(options.dir);
  const target = await freeName(options.dir, bundleName(now));
  const stage = await mkdtemp(join(options.dir, '.stage-'));
  const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const manifest: Manifest = {
      format: 1,
      generatedAt: now.toISOString(),
      files: [],
      dropped: [],
    };
    for (const file of options.files) {
      const found = secretsIn(file.content, options.secrets);
      if (found.length > 0) {
        manifest.dropped.push({
          name: file.name,
          reason: `It still held the value of ${found.join(', ')} after redaction, so it was left out.`,
        });
        continue;
      }
      const bytes = Buffer.from(file.content, 'utf8');
      await mkdir(dirname(join(stage, file.name)), { recursive: true, mode: 0o700 });
      await writeFile(join(stage, file.name), bytes, { mode: 0o600, flag: 'wx' });
      manifest.files.push({
        name: file.name,
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        redacted: file.redacted,
      });
    }
    await writeFile(join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, {
      mode: 0o600,
    });
    const names = ['manifest.json', ...manifest.files.map((f) => f.name)];
    const output =
      options.openOutput?.(temp) ?? createWriteStream(temp, { flags: 'wx', mode: 0o600 });
    await pipeline(createTar({ gzip: true, cwd: stage, portable: true }, names), output);
    const handle = await open(temp, 'r+');
    try {
      await handle.chmod(0o600).catch(() => undefined);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    const bytes = (await stat(target)).size;
    return { path: target, bytes, files: names.length, manifest };
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    const { why, todo } = describeWriteFailure(error, temp);
    throw new UserError(
      'failed',
      `The diagnostics bundle was not saved: ${why}. Nothing was left behind in ${options.dir}; ${todo}.`,
    );
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** `name`, or name-2, name-3… when a bundle of the same second exists. */
async function freeName(dir: string, name: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = join(dir, n === 1 ? name : name.replace('.tar.gz', `-${n}.tar.gz`));
    const exists = await stat(candidate).then(
      () => true,
      () => false,
    );
    if (!exists) return candidate;
  }
}
