import { expect, type Download, type Locator, type Page } from '@playwright/test';

/** Levels the filter offers ("none" = lines without a level). */
export type LogLevelKey = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'none';

/** Page object for the Logs view. Rows carry `data-seq`, `data-level`, `data-stream`. */
export class LogsPage {
  constructor(readonly page: Page) {}

  /** Switches to the Logs view from the left rail. */
  async open(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('button', { name: 'Logs' })
      .click();
    await expect(this.page.getByRole('heading', { name: 'Logs' })).toBeVisible();
  }

  /** The tab for a service's display name, or "All". */
  tab(name: string): Locator {
    return this.page
      .getByRole('tablist', { name: 'Log sources' })
      .getByRole('tab', { name, exact: true });
  }

  async pickTab(name: string): Promise<void> {
    await this.tab(name).click();
    await expect(this.tab(name)).toHaveAttribute('aria-selected', 'true');
  }

  /** The scrolling list (role log, "Log lines"). */
  list(): Locator {
    return this.page.getByRole('log', { name: 'Log lines' });
  }

  /** Rendered rows (only those the virtualizer has in the DOM). */
  rows(): Locator {
    return this.list().locator('[data-seq]');
  }

  /** Texts of the rendered rows, top to bottom (time/service prefixes included when shown). */
  async visibleRowTexts(): Promise<string[]> {
    return this.list().evaluate((el) =>
      [...el.querySelectorAll<HTMLElement>('[data-seq]')]
        .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
        .map((row) => row.querySelector('.log-text')?.textContent ?? ''),
    );
  }

  searchBox(): Locator {
    return this.page.getByRole('searchbox', { name: 'Search logs' });
  }

  async search(text: string): Promise<void> {
    await this.searchBox().fill(text);
  }

  /** "3 of 12", "No matches", or "" without a query. */
  matchCount(): Locator {
    return this.page.locator('[data-field="match-count"]');
  }

  async next(): Promise<void> {
    await this.page.getByRole('button', { name: 'Next', exact: true }).click();
  }

  async previous(): Promise<void> {
    await this.page.getByRole('button', { name: 'Previous', exact: true }).click();
  }

  /** The row holding the current search match. */
  currentMatch(): Locator {
    return this.list().locator('.log-row.current');
  }

  levelFilter(level: LogLevelKey): Locator {
    const name = level === 'none' ? 'Show lines with no level' : `Show ${level} lines`;
    return this.page.getByRole('checkbox', { name, exact: true });
  }

  streamFilter(stream: 'stdout' | 'stderr' | 'system'): Locator {
    return this.page.getByRole('checkbox', { name: `Show ${stream} lines`, exact: true });
  }

  async toggleLevel(level: LogLevelKey): Promise<void> {
    await this.levelFilter(level).click();
  }

  async toggleStream(stream: 'stdout' | 'stderr' | 'system'): Promise<void> {
    await this.streamFilter(stream).click();
  }

  /** A toolbar toggle: "Wrap lines", "Show timestamps" or "Follow" (aria-pressed). */
  toggle(name: 'Wrap lines' | 'Show timestamps' | 'Follow'): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  jumpToLatest(): Locator {
    return this.page.getByRole('button', { name: 'Jump to latest' });
  }

  /** Scrolls the list up with the mouse wheel, which pauses follow. */
  async scrollUp(pixels = 2000): Promise<void> {
    await this.list().hover();
    await this.page.mouse.wheel(0, -pixels);
    await expect(this.jumpToLatest()).toBeVisible();
  }

  async jumpToLatestAndFollow(): Promise<void> {
    await this.jumpToLatest().click();
    await expect(this.toggle('Follow')).toHaveAttribute('aria-pressed', 'true');
  }

  /** True when the list is scrolled to (within a row of) its end. */
  async isAtBottom(): Promise<boolean> {
    return this.list().evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 20);
  }

  /** Clicks Export… and returns the saved file's text and suggested name. */
  async exportLines(): Promise<{ name: string; text: string; download: Download }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: 'Export…' }).click(),
    ]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return {
      name: download.suggestedFilename(),
      text: Buffer.concat(chunks).toString('utf8'),
      download,
    };
  }

  async copy(): Promise<void> {
    await this.page.getByRole('button', { name: 'Copy', exact: true }).click();
  }

  async openFolder(): Promise<void> {
    await this.page.getByRole('button', { name: 'Open log folder' }).click();
  }

  async clearView(): Promise<void> {
    await this.page.getByRole('button', { name: 'Clear view' }).click();
  }

  /** The status line (copied / exported / skipped / log folder messages). */
  status(): Locator {
    return this.page.locator('[data-field="log-status"]');
  }

  /** "<visible> of <held> lines" in the header. */
  lineCount(): Locator {
    return this.page.locator('[data-field="line-count"]');
  }

  /**
   * The row at the top edge of the list's viewport (the first whose bottom is below the top):
   * its seq and text, for checking that a scrolled-up view holds the same line.
   */
  async topVisibleRow(): Promise<{ seq: number; text: string }> {
    return this.list().evaluate((el) => {
      const top = el.getBoundingClientRect().top;
      const rows = [...el.querySelectorAll<HTMLElement>('[data-seq]')]
        .map((row) => ({ row, box: row.getBoundingClientRect() }))
        .filter(({ box }) => box.bottom > top + 1)
        .sort((a, b) => a.box.top - b.box.top);
      const row = rows[0]?.row;
      return {
        seq: Number(row?.dataset.seq ?? NaN),
        text: row?.querySelector('.log-text')?.textContent ?? '',
      };
    });
  }

  /** "12,340 older lines left the view (kept in the log file)" once the view's ring is full. */
  evictedNotice(): Locator {
    return this.page.locator('[data-field="evicted"]');
  }

  /** The number in the evicted notice (0 while it is not shown). */
  async evictedCount(): Promise<number> {
    if (!(await this.evictedNotice().isVisible())) return 0;
    const text = (await this.evictedNotice().textContent()) ?? '';
    return Number(/^([\d.,\s\u00a0\u202f]+)/.exec(text)?.[1]?.replace(/\D/g, '') ?? 0);
  }

  /** Clicks "Open full log" beside the evicted notice. */
  async openFullLog(): Promise<void> {
    await this.page.getByRole('button', { name: 'Open full log' }).click();
  }
}
