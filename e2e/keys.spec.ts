// One spec, both hosts: the browser host here, the real Electron app with E2E_HOST=electron.
import { test, expect } from './support/app-test';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DashboardPage } from './pages/dashboard.page';
import { KeysPage } from './pages/keys.page';
import { canaryKey, filesContaining, heapSnapshotAfterGc } from './support/canary';
import { freePort } from './support/free-port';
import { launchHost, standInStackYaml, type HostHandle } from './support/host';

let host: HostHandle | undefined;
test.afterEach(async () => {
  expect(await host?.stop()).toBe(0);
  host = undefined;
});

const shortHash = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 12);

/** What the private Secret Service holds for a key (empty when there is no entry). */
function keychainLookup(name: string): string {
  try {
    return execFileSync(
      'secret-tool',
      ['lookup', 'service', 'dev.stigmer.local', 'username', name],
      {
        encoding: 'utf8',
      },
    );
  } catch {
    return '';
  }
}

test('first run: no key -> dialog -> canary key -> runner ready with it, and the key leaks nowhere', async ({
  page,
}) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }));
  const dash = new DashboardPage(page);
  const keys = new KeysPage(page);
  await dash.open(host.url);
  await dash.startAll();

  // The runner waits for its key instead of crash-looping, and the dialog asks for it.
  await keys.expectDialog('Anthropic API key');
  await dash.expectState('agent-runner', 'needs-key');
  await dash.expectState('stigmer-server', 'ready');
  await expect(keys.field()).toBeFocused();
  await expect(keys.field()).toHaveAttribute('type', 'password');

  // A key of the wrong provider is explained, and nothing is sent.
  await keys.fill('sk-proj-this-is-an-openai-key-0000000000000000');
  await expect(keys.formatMessage()).toContainText('sk-ant-');

  const canary = canaryKey('first');
  await keys.fill(canary);
  expect(await keys.toggleShow()).toBe(true);
  expect(await keys.toggleShow()).toBe(false);
  await expect(keys.rememberBox()).toBeEnabled();
  await keys.setRemember(true);
  await keys.save();
  await keys.expectNoDialog();

  await dash.expectState('agent-runner', 'ready');
  const runnerPid = await dash.pid('agent-runner');
  const serverPid = await dash.pid('stigmer-server');

  // The stand-in proves which key it received by a hash it prints, never the value.
  const runnerLog = join(host.userDataDir, 'logs', 'agent-runner.log');
  await expect
    .poll(async () =>
      (await readFile(runnerLog, 'utf8').catch(() => '')).includes(
        `key-check ANTHROPIC_API_KEY ${shortHash(canary)}`,
      ),
    )
    .toBe(true);

  // Keys view: metadata only, the keychain named, the entry really in the Secret Service.
  await keys.openView();
  await expect(keys.cardField('ANTHROPIC_API_KEY', 'keychain')).toContainText('Secret Service');
  expect(await keys.source('ANTHROPIC_API_KEY')).toBe('keychain');
  expect(await keys.fingerprint('ANTHROPIC_API_KEY')).toMatch(/^fp:[0-9a-f]{12}$/);
  expect(keychainLookup('ANTHROPIC_API_KEY')).toBe(canary);

  // Canary sweep.
  expect(await readFile(`/proc/${runnerPid}/environ`, 'utf8')).toContain(
    `ANTHROPIC_API_KEY=${canary}`,
  );
  expect(await readFile(`/proc/${runnerPid}/cmdline`, 'utf8')).not.toContain(canary);
  expect(await readFile(`/proc/${serverPid}/environ`, 'utf8')).not.toContain(canary);
  expect(await readFile(`/proc/${host.process.pid}/environ`, 'utf8')).not.toContain(canary);
  expect(await filesContaining(host.userDataDir, canary)).toEqual([]);
  expect(host.output.join('\n')).not.toContain(canary);
  expect(await page.content()).not.toContain(canary);
  const inputs = await page
    .locator('input')
    .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  expect(inputs.join('\n')).not.toContain(canary);
  const heap = await heapSnapshotAfterGc(page);
  expect(heap).toContain('ANTHROPIC_API_KEY'); // the snapshot is real: the key's name is there
  expect(heap.includes(canary), 'canary in the renderer heap after GC').toBe(false);

  // Delete: from memory and from the keychain, after a confirmation.
  await keys.delete('ANTHROPIC_API_KEY');
  await expect(keys.cardField('ANTHROPIC_API_KEY', 'status')).toContainText(/not set/i);
  expect(keychainLookup('ANTHROPIC_API_KEY')).toBe('');
});

test('rotate: only the runner restarts; a key the runner rejects is rolled back and the user told', async ({
  page,
}) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }));
  const dash = new DashboardPage(page);
  const keys = new KeysPage(page);
  await dash.open(host.url);
  await dash.startAll();
  const first = canaryKey('first');
  await keys.expectDialog('Anthropic API key');
  await keys.enterKey(first, { remember: true });
  await dash.expectState('agent-runner', 'ready');
  const serverPid = await dash.pid('stigmer-server');
  const runnerPid1 = await dash.pid('agent-runner');
  const runnerLog = join(host.userDataDir, 'logs', 'agent-runner.log');
  const logHas = async (value: string) =>
    (await readFile(runnerLog, 'utf8').catch(() => '')).includes(
      `key-check ANTHROPIC_API_KEY ${shortHash(value)}`,
    );

  // Rotate to a second good key.
  const second = canaryKey('second');
  await keys.openView();
  const fp1 = await keys.fingerprint('ANTHROPIC_API_KEY');
  await keys.rotate('ANTHROPIC_API_KEY');
  await keys.expectDialog('Rotate Anthropic API key');
  await keys.enterKey(second);
  const notice = page.locator('[data-field="rotation-notice"]');
  await expect(notice).toHaveAttribute('data-outcome', 'rotated');
  await expect(notice).toContainText('ANTHROPIC_API_KEY rotated');
  await expect.poll(() => logHas(second)).toBe(true);
  const fp2 = await keys.fingerprint('ANTHROPIC_API_KEY');
  expect(fp2).not.toBe(fp1);
  expect(keychainLookup('ANTHROPIC_API_KEY')).toBe(second);
  await keys.openServices();
  await dash.expectState('agent-runner', 'ready');
  const runnerPid2 = await dash.pid('agent-runner');
  expect(runnerPid2).not.toBe(runnerPid1);
  expect(await dash.pid('stigmer-server'), 'the server did not restart').toBe(serverPid);

  // Rotate to a key the runner rejects: it goes back to the second key and says so.
  const rejected = `sk-ant-reject-${canaryKey('third').slice(7)}`;
  await keys.openView();
  await keys.rotate('ANTHROPIC_API_KEY');
  await keys.enterKey(rejected);
  await expect(notice).toHaveAttribute('data-outcome', 'rolled-back');
  await expect(notice).toContainText('did not come up with the new ANTHROPIC_API_KEY');
  // The runner's own 401 line, explained in plain words (failure knowledge), not the raw text.
  await expect(notice).toContainText("The Anthropic API rejected agent-runner's key (401");
  await expect(notice).toContainText('previous key is back');
  expect(await keys.fingerprint('ANTHROPIC_API_KEY')).toBe(fp2);
  expect(keychainLookup('ANTHROPIC_API_KEY')).toBe(second);
  await keys.openServices();
  await dash.expectState('agent-runner', 'ready');
  const runnerPid3 = await dash.pid('agent-runner');
  expect(await readFile(`/proc/${runnerPid3}/environ`, 'utf8')).toContain(
    `ANTHROPIC_API_KEY=${second}`,
  );
  expect(await dash.pid('stigmer-server')).toBe(serverPid);

  for (const value of [first, second, rejected]) {
    expect(await filesContaining(host.userDataDir, value)).toEqual([]);
    expect(await page.content()).not.toContain(value);
    expect(host.output.join('\n')).not.toContain(value);
  }
  await keys.openView();
  await page.screenshot({ path: resolve('docs/keys-rollback.png') });
  await keys.delete('ANTHROPIC_API_KEY');
  expect(keychainLookup('ANTHROPIC_API_KEY')).toBe('');
});

test('Lock keys forgets a session key: the next restart asks again; the idle setting is validated', async ({
  page,
}) => {
  host = await launchHost(standInStackYaml({ serverPort: await freePort() }));
  const dash = new DashboardPage(page);
  const keys = new KeysPage(page);
  await dash.open(host.url);
  await dash.startAll();
  await keys.expectDialog('Anthropic API key');
  await keys.enterKey(canaryKey('lock'), { remember: false });
  await dash.expectState('agent-runner', 'ready');

  await keys.openView();
  expect(await keys.source('ANTHROPIC_API_KEY')).toBe('session');
  await keys.lock();
  await keys.confirmLock();
  await expect(page.getByRole('button', { name: 'Lock keys' })).toBeDisabled();

  // The running runner keeps its environment; a restart needs the key again and asks for it.
  await keys.openServices();
  await dash.expectState('agent-runner', 'ready');
  // exact: the stale-key notice has its own "Restart Agent runner now" button.
  await page.getByRole('button', { name: 'Restart Agent runner', exact: true }).click();
  await keys.expectDialog('Anthropic API key');
  await dash.expectState('agent-runner', 'needs-key');
  await keys.cancel();
  await keys.expectNoDialog();
  await expect(keys.enterKeyButton('agent-runner')).toBeVisible();

  // Settings: a bad value is explained and kept in the field; a good one persists.
  await page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('button', { name: 'Settings' })
    .click();
  const idle = page.getByLabel('Forget keys from memory after this many idle minutes');
  await expect(idle).toHaveValue('10');
  await idle.fill('5000');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('at most 1440');
  await expect(idle).toHaveValue('5000');
  await idle.fill('15');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Forget keys from memory after this many idle minutes')).toHaveValue(
    '15',
  );
});
