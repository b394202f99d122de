import { expect, type Locator, type Page } from '@playwright/test';

/** Page object for the Settings view (Programs: where each program and Node are). */
export class SettingsPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: 'Settings' })
      .click();
    await expect(this.page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  }

  /** The Programs form. */
  programs(): Locator {
    return this.page.locator('form[data-field="programs"]');
  }

  /** The path field of one program ("agent-runner", "node", ...), by its label. */
  programField(label: string | RegExp): Locator {
    return this.programs().getByLabel(label).and(this.page.locator('input'));
  }

  /** Types a path into a program's field and saves the locations; waits for "Saved". */
  async setProgram(label: string | RegExp, path: string): Promise<void> {
    await this.programField(label).fill(path);
    await this.programs().getByRole('button', { name: 'Save locations' }).click();
    await expect(this.programs().getByRole('status')).toContainText('Saved');
  }
}
