import type { Locator, Page } from '@playwright/test';
import { SettingsPage } from './settings.page';

/** Page object for Settings → Updates and the update banner. */
export class UpdatesPage {
  readonly settings: SettingsPage;

  constructor(readonly page: Page) {
    this.settings = new SettingsPage(page);
  }

  /** Settings → Updates. */
  section(): Locator {
    return this.page.locator('[data-field="updates"]');
  }

  /** The one-line status ("Stigmer Local 0.1.0 is the latest version.", or why not here). */
  status(): Locator {
    return this.section().locator('[data-field="update-status"]');
  }

  checkButton(): Locator {
    return this.section().getByRole('button', { name: 'Check for updates' });
  }

  autoSwitch(): Locator {
    return this.section().getByRole('checkbox', { name: /Check for updates automatically/ });
  }

  /** The banner over every view (downloading, ready, refused). */
  banner(): Locator {
    return this.page.locator('[data-field="update-banner"]');
  }
}
