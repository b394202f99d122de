import { expect, type Locator, type Page } from '@playwright/test';

/** Page object for the key import dialog and Help → Save diagnostics…. */
export class KeyImportPage {
  constructor(readonly page: Page) {}

  dialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Import keys from files' });
  }

  /** The found key's row, by its key name (data-name). */
  candidate(name: string): Locator {
    return this.dialog().locator(`.import-candidates li[data-name="${name}"]`);
  }

  async scanEnv(path: string): Promise<void> {
    await this.dialog().getByLabel('.env file (full path)').fill(path);
    await this.dialog().getByRole('button', { name: 'Scan' }).click();
  }

  consent(): Locator {
    return this.dialog().getByRole('checkbox', { name: /Also remove the imported lines/ });
  }

  async importChosen(count: number): Promise<void> {
    const label = count === 1 ? 'Import 1 key' : `Import ${count} keys`;
    await this.dialog().getByRole('button', { name: label }).click();
  }

  outcome(name: string): Locator {
    return this.dialog().locator(`.import-outcomes li[data-name="${name}"]`);
  }

  /** Opens the dialog from the Keys view. */
  async openFromKeys(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: 'Keys' })
      .click();
    await this.page.getByRole('button', { name: 'Import from files…' }).click();
    await expect(this.dialog()).toBeVisible();
  }

  /** Help → Save diagnostics…; returns the path the window shows. */
  async saveDiagnostics(): Promise<string> {
    await this.page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: 'Help' })
      .click();
    const help = this.page.getByRole('dialog', { name: 'Help' });
    await help.getByRole('button', { name: 'Save diagnostics…' }).click();
    const path = help.locator('[data-field="diagnostics-path"]');
    await expect(path).toBeVisible();
    return (await path.textContent()) ?? '';
  }
}
