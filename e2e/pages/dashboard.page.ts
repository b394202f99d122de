import { expect, type Locator, type Page } from '@playwright/test';

/** Page object for the Services view of the dashboard. */
export class DashboardPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.getByRole('heading', { name: 'Services' })).toBeVisible();
  }

  row(name: string): Locator {
    return this.page.locator(`li.service[data-service="${name}"]`);
  }

  state(name: string): Locator {
    return this.row(name).locator('.pill');
  }

  field(
    name: string,
    field: 'pid' | 'port' | 'uptime' | 'restarts' | 'cpu' | 'memory' | 'last-error' | 'searched',
  ): Locator {
    return this.row(name).locator(`[data-field="${field}"]`);
  }

  async pid(name: string): Promise<number> {
    const text = (await this.field(name, 'pid').textContent()) ?? '';
    const pid = Number(text);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`${name} shows no pid ("${text}")`);
    return pid;
  }

  stackState(): Locator {
    return this.page.locator('.stack-state');
  }

  async startAll(): Promise<void> {
    await this.page.getByRole('button', { name: 'Start all' }).click();
  }

  async stopAll(): Promise<void> {
    await this.page.getByRole('button', { name: 'Stop all' }).click();
  }

  async expectState(name: string, state: string): Promise<void> {
    await expect(this.state(name)).toHaveAttribute('data-state', state);
  }
}
