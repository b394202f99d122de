import { expect, type Download, type Locator, type Page } from '@playwright/test';

/** What "Verify integrity" reported: OK (role status) or damaged (role alert), and its text. */
export interface VerifyOutcome {
  ok: boolean;
  text: string;
}

/**
 * Page object for the Audit view. Rows are `role=row` in the grid "Audit entries", each with
 * `data-seq`, `data-type` and `data-outcome`; the newest entry is the first row.
 */
export class AuditPage {
  constructor(readonly page: Page) {}

  /** Switches to the Audit view from the left rail. */
  async open(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: 'Audit' })
      .click();
    await expect(this.page.getByRole('heading', { name: 'Audit', exact: true })).toBeVisible();
  }

  /** The virtualized grid of entries. */
  table(): Locator {
    return this.page.getByRole('grid', { name: 'Audit entries' });
  }

  /** Rendered entry rows (only those the virtualizer has in the DOM), header excluded. */
  rows(): Locator {
    return this.table().locator('[role="row"][data-seq]');
  }

  /** The rendered row of one entry. */
  row(seq: number): Locator {
    return this.table().locator(`[role="row"][data-seq="${seq}"]`);
  }

  /** Types of the rendered rows, top to bottom (newest first). */
  async types(): Promise<string[]> {
    return (await this.rowData()).map((r) => r.type);
  }

  /** Seq, type and outcome of the rendered rows, top to bottom. */
  async rowData(): Promise<{ seq: number; type: string; outcome: string }[]> {
    return this.table().evaluate((el) =>
      [...el.querySelectorAll<HTMLElement>('[role="row"][data-seq]')]
        .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
        .map((row) => ({
          seq: Number(row.dataset.seq),
          type: row.dataset.type ?? '',
          outcome: row.dataset.outcome ?? '',
        })),
    );
  }

  typeFilter(): Locator {
    return this.page.getByRole('combobox', { name: 'Filter by type' });
  }

  /** Shows one type only; '' (or "All types") shows every type. */
  async filterByType(type: string): Promise<void> {
    await this.typeFilter().selectOption(type === 'All types' ? '' : type);
  }

  /** Filters by service, chosen by its display name ("Agent runner"); '' shows all. */
  async filterByService(service: string): Promise<void> {
    await this.page
      .getByLabel('Filter by service', { exact: true })
      .selectOption(service === '' ? '' : { label: service });
  }

  /** Filters by key, chosen by its title ("Anthropic API key"); '' shows all. */
  async filterByKey(key: string): Promise<void> {
    await this.page
      .getByLabel('Filter by key', { exact: true })
      .selectOption(key === '' ? '' : { label: key });
  }

  /** Sets the time range as local `YYYY-MM-DDTHH:MM[:SS]` ('' leaves that end open). */
  async filterByTime(from: string, to: string): Promise<void> {
    await this.page.getByLabel('From', { exact: true }).fill(from);
    await this.page.getByLabel('To', { exact: true }).fill(to);
  }

  /** "N entries" or "Showing the newest N of M entries" ("Loading…" while a query runs). */
  count(): Locator {
    return this.page.locator('[data-field="audit-count"]');
  }

  /** The verify result line (status when intact, alert when damaged). */
  verifyResult(): Locator {
    return this.page.locator('[data-field="verify-result"]');
  }

  /** Clicks "Verify integrity" and returns the reported result once it shows. */
  async verify(): Promise<VerifyOutcome> {
    await this.page.getByRole('button', { name: 'Verify integrity' }).click();
    await expect(this.verifyResult()).toBeVisible();
    return {
      ok: (await this.verifyResult().getAttribute('data-ok')) === 'true',
      text: (await this.verifyResult().textContent()) ?? '',
    };
  }

  /** Clicks Export… and returns the saved file's name, its text and the parsed entries. */
  async exportEntries(): Promise<{
    name: string;
    text: string;
    entries: Record<string, unknown>[];
    download: Download;
  }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: 'Export…' }).click(),
    ]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const entries = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { name: download.suggestedFilename(), text, entries, download };
  }

  /** Selects an entry's row (by seq) and waits for the details panel to show it. */
  async select(seq: number): Promise<void> {
    await this.row(seq).click();
    await expect(this.row(seq)).toHaveAttribute('aria-selected', 'true');
    await expect(this.details()).toHaveAttribute('data-seq', String(seq));
  }

  /** Selects the n-th rendered row from the top (0 = newest) and returns its seq. */
  async selectAt(index: number): Promise<number> {
    const seq = (await this.rowData())[index]?.seq;
    if (seq === undefined) throw new Error(`no audit row at index ${index}`);
    await this.select(seq);
    return seq;
  }

  /** The details panel's field list (`data-seq` = the selected entry). */
  details(): Locator {
    return this.page.locator('[data-field="audit-details"]');
  }

  /** The details panel's text (all fields, labels included). */
  async detailsText(): Promise<string> {
    return (await this.details().innerText()).trim();
  }
}
