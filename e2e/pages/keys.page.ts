import { expect, type Locator, type Page } from '@playwright/test';

/** Fields shown on a key card (each carries `data-field`). */
export type KeyField =
  'status' | 'source' | 'fingerprint' | 'updated' | 'remembered' | 'touch-id' | 'keychain';

/** Page object for the key dialog and the Keys view. */
export class KeysPage {
  constructor(readonly page: Page) {}

  /** The open key dialog (title e.g. "Anthropic API key" or "Rotate Anthropic API key"). */
  dialog(title?: string | RegExp): Locator {
    return this.page.getByRole('dialog', title ? { name: title } : undefined);
  }

  /** The masked value field, by its label ("Anthropic API key"). */
  field(label: string | RegExp = /API key/): Locator {
    return this.dialog().getByLabel(label, { exact: false }).and(this.page.locator('input'));
  }

  async expectDialog(title: string | RegExp): Promise<void> {
    await expect(this.dialog(title)).toBeVisible();
  }

  async expectNoDialog(): Promise<void> {
    await expect(this.page.getByRole('dialog')).toHaveCount(0);
  }

  async fill(value: string): Promise<void> {
    await this.field().fill(value);
  }

  /** Presses the eye toggle; returns whether the value is now shown. */
  async toggleShow(): Promise<boolean> {
    await this.dialog()
      .getByRole('button', { name: /^(Show|Hide) key$/ })
      .click();
    return (await this.field().getAttribute('type')) === 'text';
  }

  async setRemember(on: boolean): Promise<void> {
    await this.dialog()
      .getByRole('checkbox', { name: /^Remember in/ })
      .setChecked(on);
  }

  rememberBox(): Locator {
    return this.dialog().getByRole('checkbox', { name: /^Remember in/ });
  }

  /** The live format message or hint under the field. */
  formatMessage(): Locator {
    return this.dialog().locator('.field-hint');
  }

  /** An error from the main process shown inside the dialog. */
  dialogError(): Locator {
    return this.dialog().locator('[data-field="dialog-error"]');
  }

  /** The dialog's submit: "Save", or "Rotate and restart …" when rotating a key in use. */
  async save(): Promise<void> {
    await this.dialog()
      .getByRole('button', { name: /^(Save|Rotate and restart )/ })
      .click();
  }

  /** Fills the value and saves; waits for the dialog to close. */
  async enterKey(value: string, opts: { remember?: boolean } = {}): Promise<void> {
    await this.fill(value);
    if (opts.remember !== undefined) await this.setRemember(opts.remember);
    await this.save();
    await this.expectNoDialog();
  }

  async cancel(): Promise<void> {
    await this.dialog().getByRole('button', { name: 'Cancel' }).click();
  }

  async openView(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: 'Keys' })
      .click();
    await expect(this.page.getByRole('heading', { name: 'Keys', level: 1 })).toBeVisible();
  }

  async openServices(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: 'Services' })
      .click();
  }

  /** A key card by env name (ANTHROPIC_API_KEY). */
  card(name: string): Locator {
    return this.page.locator(`li.key-card[data-key="${name}"]`);
  }

  cardField(name: string, field: KeyField): Locator {
    if (field === 'keychain') return this.page.locator('[data-field="keychain"]');
    return this.card(name).locator(`[data-field="${field}"]`);
  }

  async fingerprint(name: string): Promise<string> {
    return ((await this.cardField(name, 'fingerprint').textContent()) ?? '').trim();
  }

  /** 'session' | 'keychain' | 'environment' | '' (unset). */
  async source(name: string): Promise<string> {
    return (await this.cardField(name, 'source').getAttribute('data-source')) ?? '';
  }

  /** Opens the dialog in rotate mode from the key's card. */
  async rotate(name: string): Promise<void> {
    await this.card(name)
      .getByRole('button', { name: /^Rotate / })
      .click();
  }

  async set(name: string): Promise<void> {
    await this.card(name).getByRole('button', { name: /^Set / }).click();
  }

  /** Deletes a key through its confirmation dialog. */
  async delete(name: string): Promise<void> {
    await this.card(name)
      .getByRole('button', { name: /^Delete / })
      .click();
    const confirm = this.page.getByRole('dialog', { name: /^Delete / });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect(confirm).toHaveCount(0);
  }

  /** Presses "Lock keys" (it asks first: see confirmLock). */
  async lock(): Promise<void> {
    await this.page.getByRole('button', { name: 'Lock keys' }).click();
  }

  /** The open "Lock keys?" confirmation. */
  lockDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Lock keys?' });
  }

  /** Confirms the open "Lock keys?" dialog; waits for it to close. */
  async confirmLock(): Promise<void> {
    await this.lockDialog().getByRole('button', { name: 'Lock keys' }).click();
    await expect(this.lockDialog()).toHaveCount(0);
  }

  /** The notice naming running services that still hold a deleted, locked or old key. */
  staleNotice(): Locator {
    return this.page.locator('[data-field="stale-keys"]');
  }

  /** The "Enter key…" button on a service row in the 'needs-key' state. */
  enterKeyButton(service: string): Locator {
    return this.page
      .locator(`li.service[data-service="${service}"]`)
      .getByRole('button', { name: /^Enter key/ });
  }
}
