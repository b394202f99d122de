import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../src-shared/model/errors';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from '../../src-shared/model/settings';
import { settingLabel } from '../../src-shared/model/setting-labels';
import { describeWriteFailure, writeFileDurably } from './durable-file';

/**
 * A side effect that must happen with a settings change (e.g. the OS login item), run after
 * validation and before the file is written; it returns how to undo it if the write fails.
 */
export type SettingsEffect = (
  next: Settings,
  previous: Settings,
) => Promise<(() => Promise<unknown>) | void>;

/** Reads and writes `<userDataDir>/settings.json`; a broken file falls back to defaults, said once. */
export class SettingsStore {
  private current: Settings = structuredClone(DEFAULT_SETTINGS);
  /** Saves run one at a time: each merges into what the previous one left, on disk and here. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Why the file on disk was not used, if it was not. */
  problem: string | null = null;

  constructor(private readonly userDataDir: string) {}

  private get file(): string {
    return join(this.userDataDir, 'settings.json');
  }

  /** Loads the file (missing = defaults). */
  async load(): Promise<Settings> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return this.current;
    }
    try {
      const parsed = settingsSchema.partial().parse(JSON.parse(text));
      this.current = { ...structuredClone(DEFAULT_SETTINGS), ...parsed };
    } catch (error) {
      this.problem = `settings.json could not be read (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); the defaults are used until you save settings again.`;
    }
    return this.current;
  }

  /** The settings in force. */
  get(): Settings {
    return structuredClone(this.current);
  }

  /**
   * Validates a change, runs `effect`, writes settings.json durably, and only then changes the
   * settings in force. Concurrent calls are queued, so none is lost. When the file cannot be
   * written the effect is undone and it rejects with a UserError saying why; nothing changed.
   */
  update(change: Partial<Settings>, effect?: SettingsEffect): Promise<Settings> {
    const run = this.queue.then(() => this.apply(change, effect));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(change: Partial<Settings>, effect?: SettingsEffect): Promise<Settings> {
    const previous = this.get();
    const parsed = settingsSchema.safeParse({ ...previous, ...change });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      // The label the window shows ("Forget keys after (minutes)"), never the field path.
      const label = settingLabel(issue?.path.join('.') ?? '') || 'This setting';
      const why = issue?.message ?? 'valid';
      // The schema's own messages complete "must be …"; a library message stands on its own.
      const what = /^[a-z]/.test(why) ? `${label} must be ${why}.` : `${label}: ${why}.`;
      throw new UserError(
        'bad-arguments',
        `${what} Nothing was changed; correct it and save again.`,
      );
    }
    const undo = effect ? await effect(parsed.data, previous) : undefined;
    try {
      await mkdir(this.userDataDir, { recursive: true, mode: 0o700 });
      await writeFileDurably(this.file, JSON.stringify(parsed.data, null, 2) + '\n');
    } catch (error) {
      await undo?.().catch(() => undefined);
      const { why, todo } = describeWriteFailure(error, this.file);
      throw new UserError(
        'failed',
        `Could not save settings: ${why}. Nothing was changed; ${todo}.`,
      );
    }
    this.current = parsed.data;
    this.problem = null;
    return this.get();
  }
}
