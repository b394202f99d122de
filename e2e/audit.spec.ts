// One spec, both hosts: the browser host here, the real Electron app with E2E_HOST=electron.
import { test, expect } from './support/app-test';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AuditPage } from './pages/audit.page';
import { DashboardPage } from './pages/dashboard.page';
import { KeysPage } from './pages/keys.page';
import { canaryKey, filesContaining } from './support/canary';
import { freePort } from './support/free-port';
import { missingInOrder } from './support/subsequence';
import { launchHost, standInStackYaml, type HostHandle } from './support/host';

let host: HostHandle | undefined;
test.afterEach(async () => {
  expect(await host?.stop()).toBe(0);
  host = undefined;
});

test('the key flows show up in the Audit view in order; Verify says OK, then names an edited entry', async ({
  page,
}) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }));
  const dash = new DashboardPage(page);
  const keys = new KeysPage(page);
  const audit = new AuditPage(page);
  await dash.open(host.url);
  await dash.startAll();
  const first = canaryKey('audit1');
  await keys.expectDialog('Anthropic API key');
  await keys.enterKey(first, { remember: false });
  await dash.expectState('agent-runner', 'ready');
  const runnerPid = await dash.pid('agent-runner');

  await keys.openView();
  const second = canaryKey('audit2');
  await keys.rotate('ANTHROPIC_API_KEY');
  await keys.enterKey(second);
  await expect(page.locator('[data-field="rotation-notice"]')).toHaveAttribute(
    'data-outcome',
    'rotated',
  );
  const rejected = `sk-ant-reject-${canaryKey('audit3').slice(7)}`;
  await keys.rotate('ANTHROPIC_API_KEY');
  await keys.enterKey(rejected);
  await expect(page.locator('[data-field="rotation-notice"]')).toHaveAttribute(
    'data-outcome',
    'rolled-back',
  );

  await audit.open();
  // Newest first in the view; read oldest first to check the order of the story.
  await expect.poll(async () => (await audit.types()).includes('key.rolled-back')).toBe(true);
  const story = (await audit.types()).reverse();
  const expected = [
    'app.started',
    'stack.start-requested',
    'service.ready',
    'service.needs-key',
    'key.entered',
    'key.released',
    'key.delivered',
    'service.ready',
    'key.rotated',
    'key.rolled-back',
  ];
  expect(missingInOrder(story, expected)).toBeNull();
  // The oldest delivery (rows are newest first) went to the runner started with the first key.
  const delivered = (await audit.rowData()).filter((r) => r.type === 'key.delivered').at(-1);
  expect(delivered).toBeTruthy();
  await audit.select(delivered!.seq);
  await expect(audit.details()).toContainText(String(runnerPid));

  await audit.filterByType('key.rotated');
  await expect.poll(() => audit.types()).toEqual(['key.rotated']);
  const exported = await audit.exportEntries();
  expect(exported.entries.map((e) => e.type)).toEqual(['key.rotated']);
  // Old and new fingerprints, never values.
  const [oldFp, newFp] = String(exported.entries[0]!.fingerprint).split('->');
  expect(oldFp).toMatch(/^fp:[0-9a-f]{12}$/);
  expect(newFp).toMatch(/^fp:[0-9a-f]{12}$/);
  expect(newFp).not.toBe(oldFp);
  for (const value of [first, second, rejected]) expect(exported.text).not.toContain(value);
  await audit.filterByType('All types');

  expect((await audit.verify()).ok).toBe(true);
  await expect(audit.verifyResult()).toContainText('Journal intact');
  await page.screenshot({ path: resolve('docs/audit.png') });

  // No key value anywhere in the journal (or any other file of the app).
  for (const value of [first, second, rejected]) {
    expect(await filesContaining(host.userDataDir, value)).toEqual([]);
  }

  // Edit one entry by hand: Verify names it.
  const dir = join(host.userDataDir, 'audit');
  const file = join(
    dir,
    (await readdir(dir)).find((f) => f.endsWith('.jsonl'))!,
  );
  const lines = (await readFile(file, 'utf8')).split('\n');
  const victim = lines.findIndex((l) => l.includes('"type":"key.rotated"'));
  const seq = (JSON.parse(lines[victim]!) as { seq: number }).seq;
  lines[victim] = lines[victim]!.replace('"outcome":"ok"', '"outcome":"OK"');
  await writeFile(file, lines.join('\n'));
  const result = await audit.verify();
  expect(result.ok).toBe(false);
  await expect(audit.verifyResult()).toContainText(`entry #${seq}`);
  await expect(audit.verifyResult()).toContainText('hash mismatch');
});
