import { readFile, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../../../src-shared/model/errors';
import type { AuditInput } from '../../../src-shared/model/audit';
import type {
  ImportCandidate,
  ImportOutcome,
  ImportScan,
  ImportSource,
} from '../../../src-shared/model/key-import';
import { checkKeyValue } from '../secrets';
import { FileChangedError, replaceFileIfUnchanged, sha256, withoutLines } from './file-edit';
import type { FoundKey, ScanFindings } from './found-key';
import { scanDotenv } from './dotenv';
import { STIGMER_CONFIG_PATH, scanStigmerConfig } from './stigmer-config';

/** Largest file a scan reads: a config or .env is a few KiB; anything this big is not one. */
export const MAX_SCAN_BYTES = 1024 * 1024;
/** Marker under the user data dir: the first-run offer was made (it is made once). */
export const OFFERED_FILE = 'key-import-offered';

/** What the importer needs from the core, passed in by the composition root. */
export interface KeyImporterDeps {
  homeDir: string;
  userDataDir: string;
  /** The install's HMAC fingerprint (the one the Keys view shows). */
  fingerprint: (value: Buffer) => string;
  /** Stores a key as the key dialog does with Remember on; says whether the keychain has it. */
  store: (name: string, value: Buffer) => Promise<{ remembered: boolean; notice: string | null }>;
  /** Appends to the audit journal. */
  journal: (input: AuditInput) => Promise<void>;
  /** The host's native file dialog for a .env (desktop app); absent where there is none. */
  pickFile?: () => Promise<string | null>;
}

interface ScannedFile {
  file: string;
  kind: ImportSource['kind'];
  hash: string;
}

interface Remembered {
  candidate: ImportCandidate;
  source: ScannedFile;
}

/**
 * Finds provider keys left in plain text (the Stigmer CLI's config, a project's .env) and moves
 * the ones the user picks into the keychain. Values stay in this process: a scan answers names,
 * lines and fingerprints, and an import reads the file again (refusing it if its hash changed).
 */
export class KeyImporter {
  private last = new Map<string, Remembered>();

  constructor(private readonly deps: KeyImporterDeps) {}

  /** Scans ~/.stigmer/config.yaml and, when given, a .env file. */
  async scan(options: { envFile?: string; pick?: boolean; auto?: boolean }): Promise<ImportScan> {
    if (options.pick) {
      if (!this.deps.pickFile) {
        throw new UserError(
          'bad-arguments',
          'Choosing a file needs the desktop app; type the full path of the .env file instead.',
        );
      }
      const picked = await this.deps.pickFile();
      options = picked ? { envFile: picked } : {};
    }
    const firstRun = options.auto === true && (await this.takeFirstRun());
    const targets: { file: string; kind: ImportSource['kind'] }[] = [
      { file: join(this.deps.homeDir, ...STIGMER_CONFIG_PATH), kind: 'stigmer-config' },
    ];
    if (options.envFile) targets.push({ file: this.resolve(options.envFile), kind: 'dotenv' });
    const sources: ImportSource[] = [];
    const candidates: ImportCandidate[] = [];
    this.last = new Map();
    for (const target of targets) {
      const read = await readSmall(target.file);
      if (read.status !== 'found') {
        sources.push({ ...target, status: read.status, message: read.message });
        continue;
      }
      const findings = findingsOf(target.kind, read.bytes);
      const source: ScannedFile = { ...target, hash: sha256(read.bytes) };
      sources.push({
        ...target,
        status: 'found',
        message: findings.notes.length ? findings.notes.join(' ') : null,
      });
      for (const key of findings.keys) {
        const candidate = this.candidateOf(source, key);
        candidates.push(candidate);
        this.last.set(candidate.id, { candidate, source });
      }
    }
    return { candidates, sources, firstRun };
  }

  /**
   * Imports the chosen candidates of the last scan. Per file: the file must be the one scanned
   * (same SHA-256), each key must pass the provider's format check, and only keys the keychain
   * really kept are taken out of the file, and only with `removeFromFile`.
   */
  async import(ids: string[], removeFromFile: boolean, actor: AuditInput['actor']) {
    const chosen = [...new Set(ids)].map((id) => {
      const found = this.last.get(id);
      if (!found) {
        throw new UserError(
          'not-found',
          'That key is not in the last scan (the window may be older than the scan). Scan again and pick the keys once more.',
        );
      }
      return found;
    });
    const outcomes: ImportOutcome[] = [];
    for (const file of new Set(chosen.map((c) => c.source.file))) {
      const ofFile = chosen.filter((c) => c.source.file === file);
      outcomes.push(...(await this.importFile(ofFile, removeFromFile, actor)));
    }
    return outcomes;
  }

  private async importFile(
    chosen: Remembered[],
    removeFromFile: boolean,
    actor: AuditInput['actor'],
  ): Promise<ImportOutcome[]> {
    const source = chosen[0]!.source;
    const fail = (message: string) =>
      chosen.map(({ candidate: c }) => outcome(c, false, false, message));
    const read = await readSmall(source.file);
    if (read.status !== 'found')
      return fail(`${source.file} could not be read again: ${read.message}`);
    if (sha256(read.bytes) !== source.hash) return fail(new FileChangedError(source.file).message);
    const found = findingsOf(source.kind, read.bytes).keys;
    const results: {
      c: ImportCandidate;
      key: FoundKey;
      remembered: boolean;
      notice: string | null;
    }[] = [];
    const outcomes: ImportOutcome[] = [];
    for (const { candidate: c } of chosen) {
      const key = found.find((k) => k.name === c.name && k.line === c.line);
      const check = key ? checkKeyValue(c.name, key.value) : null;
      if (!key || !check?.ok) {
        const why = check && !check.ok ? check.message : 'It is no longer in the file.';
        outcomes.push(outcome(c, false, false, `${c.name} was not imported: ${why}`));
        continue;
      }
      try {
        const stored = await this.deps.store(c.name, Buffer.from(check.value, 'utf8'));
        results.push({ c, key, ...stored });
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        outcomes.push(outcome(c, false, false, `${c.name} was not imported: ${why}`));
      }
    }
    // Only keys the keychain kept leave the file: a session-only key would be gone after quit.
    const removable = removeFromFile
      ? results.filter((r) => r.remembered && r.key.removeLines !== null)
      : [];
    let removeError: string | null = null;
    if (removable.length > 0) {
      try {
        const next = withoutLines(
          read.bytes,
          removable.map((r) => r.key.removeLines!),
        );
        await replaceFileIfUnchanged(source.file, next, source.hash);
      } catch (error) {
        removeError =
          error instanceof FileChangedError
            ? error.message
            : `${source.file} could not be rewritten (${(error as NodeJS.ErrnoException).code ?? 'error'}); it is unchanged. Remove the lines by hand.`;
      }
    }
    for (const r of results) {
      const removed = removeError === null && removable.includes(r);
      const why = removeFromFile && !removed ? whyKept(r, removeError) : null;
      const message = [r.notice, why].filter(Boolean).join(' ') || null;
      outcomes.push(outcome(r.c, true, removed, message));
      await this.deps.journal({
        type: 'key.imported',
        actor,
        key: r.c.name,
        fingerprint: r.c.fingerprint,
        outcome: 'ok',
        detail: `Imported from ${source.file} (line ${r.c.line}) ${r.remembered ? 'into the keychain' : 'for this session only'}; ${removed ? 'its line was removed from the file' : 'the file was left as it was'}.`,
      });
    }
    return outcomes;
  }

  private candidateOf(source: ScannedFile, key: FoundKey): ImportCandidate {
    const check = checkKeyValue(key.name, key.value);
    return {
      id: `${source.kind}:${key.line}:${key.name}`,
      name: key.name,
      file: source.file,
      line: key.line,
      fingerprint: this.deps.fingerprint(Buffer.from(check.ok ? check.value : key.value, 'utf8')),
      problem: check.ok ? null : check.message,
      removeProblem: key.removeProblem,
    };
  }

  private resolve(file: string): string {
    const expanded = file.startsWith('~/') ? join(this.deps.homeDir, file.slice(2)) : file;
    if (!isAbsolute(expanded)) {
      throw new UserError(
        'bad-arguments',
        `"${file.slice(0, 200)}" is not a full path. Type the whole path of the .env file (e.g. /home/you/project/.env).`,
      );
    }
    return expanded;
  }

  /** True once per install: the first automatic scan writes the marker. */
  private async takeFirstRun(): Promise<boolean> {
    try {
      await writeFile(join(this.deps.userDataDir, OFFERED_FILE), `${new Date().toISOString()}\n`, {
        flag: 'wx',
        mode: 0o600,
      });
      return true;
    } catch {
      return false;
    }
  }
}

function whyKept(
  r: { key: FoundKey; remembered: boolean },
  removeError: string | null,
): string | null {
  if (!r.remembered)
    return 'It stays in the file: no keychain kept it, so it would be lost at quit.';
  if (r.key.removeLines === null) return r.key.removeProblem;
  return removeError;
}

function outcome(
  c: ImportCandidate,
  imported: boolean,
  removed: boolean,
  message: string | null,
): ImportOutcome {
  return { id: c.id, name: c.name, file: c.file, imported, removed, message };
}

function findingsOf(kind: ImportSource['kind'], bytes: Buffer): ScanFindings {
  const text = bytes.toString('utf8');
  return kind === 'stigmer-config' ? scanStigmerConfig(text) : scanDotenv(text);
}

type SmallRead =
  { status: 'found'; bytes: Buffer } | { status: 'missing' | 'unreadable'; message: string | null };

async function readSmall(file: string): Promise<SmallRead> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return { status: 'unreadable', message: 'It is not a file.' };
    if (info.size > MAX_SCAN_BYTES) {
      return {
        status: 'unreadable',
        message: 'It is larger than 1 MiB, so it is not a config or .env file.',
      };
    }
    return { status: 'found', bytes: await readFile(file) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'missing', message: null };
    return {
      status: 'unreadable',
      message: `It could not be read (${code ?? 'error'}); check that you can read it.`,
    };
  }
}
