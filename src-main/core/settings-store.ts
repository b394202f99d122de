import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../src-shared/model/errors';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from '../../src-shared/model/settings';

/** Reads and writes `<userDataDir>/settings.json`; a broken file falls back to defaults, said once. */
export class SettingsStore {
  private current: Settings = structuredClone(DEFAULT_SETTINGS);
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

  /** Validates a change, writes it atomically, and returns the new settings. */
  async update(change: Partial<Settings>): Promise<Settings> {
    const parsed = settingsSchema.safeParse({ ...this.current, ...change });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError(
        'bad-arguments',
        `Setting ${issue?.path.join('.') ?? ''} must be ${issue?.message ?? 'valid'}.`,
      );
    }
    const temp = `${this.file}.tmp`;
    await writeFile(temp, JSON.stringify(parsed.data, null, 2) + '\n', { mode: 0o600 });
    await rename(temp, this.file);
    this.current = parsed.data;
    this.problem = null;
    return this.get();
  }
}
