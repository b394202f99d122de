// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../../src-shared/ipc/api';
import type { SecretInfo, SecretsSnapshot } from '../../../src-shared/model/secret';
import { serviceStatus, stackSnapshot } from '../../../src-shared/model/test-snapshots';
import { useSecrets } from '../../stores/secrets';
import { useServices } from '../../stores/services';
import { KeyDialog } from './key-dialog';
import { KeysView, keyStatus } from './keys-view';
import { StaleKeysNotice } from './stale-keys-notice';

// Delete, lock and rotate say what happens to the running agent-runner, and name it afterwards
// with "Restart now". Real React in jsdom; main is a stand-in behind the contract-built API.

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const key = (over: Partial<SecretInfo> = {}): SecretInfo => ({
  name: 'ANTHROPIC_API_KEY',
  required: true,
  set: true,
  loaded: true,
  source: 'keychain',
  fingerprint: 'ab12cd',
  updatedAt: Date.now(),
  remembered: true,
  requireTouchId: false,
  ...over,
});
const keys = (over: Partial<SecretsSnapshot> = {}): SecretsSnapshot => ({
  keys: [key()],
  keychain: { backend: 'Secret Service', available: true, reason: null },
  touchIdAvailable: false,
  needed: [],
  consumers: { ANTHROPIC_API_KEY: ['agent-runner'] },
  staleConsumers: [],
  ...over,
});
const runner = serviceStatus('agent-runner', 'ready', { pid: 4242, displayName: 'Agent runner' });

let calls: string[];
let root: Root;
let host: HTMLDivElement;

beforeEach(() => {
  calls = [];
  const locked = keys({
    keys: [key({ loaded: false })],
    staleConsumers: [
      { service: 'agent-runner', pid: 4242, key: 'ANTHROPIC_API_KEY', reason: 'locked' },
    ],
  });
  const api = buildApi({
    async invoke(channel) {
      calls.push(channel);
      if (channel === 'secrets:lock') return { ok: true, value: locked };
      if (channel === 'services:restart') return { ok: true, value: stackSnapshot([runner]) };
      return { ok: true, value: null };
    },
    subscribe: () => () => undefined,
  });
  Object.defineProperty(window, 'stigmer', { value: api, configurable: true });
  useSecrets.setState({ snapshot: keys(), dialog: null, notice: null, error: null, pending: {} });
  useServices.setState({ snapshot: stackSnapshot([runner]), pending: {}, error: null });
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

const button = (name: string | RegExp): HTMLButtonElement => {
  const all = [...document.querySelectorAll('button')];
  const found = all.find((b) =>
    typeof name === 'string' ? b.textContent === name : name.test(b.textContent ?? ''),
  );
  if (!found) throw new Error(`no button ${String(name)} in: ${all.map((b) => b.textContent)}`);
  return found;
};
const flush = () => act(() => new Promise((r) => setTimeout(r, 0)));

describe('Lock keys', () => {
  it('asks first, explains the keychain, names the running runner; then says what it did', async () => {
    act(() => root.render(<KeysView />));
    act(() => button('Lock keys').click());
    const dialog = document.querySelector('[role="dialog"]')!;
    expect(dialog.textContent).toContain('forgotten from this app’s memory');
    expect(dialog.textContent).toContain('fetched again');
    expect(dialog.textContent).toContain('Secret Service');
    expect(dialog.textContent).toContain('Agent runner is running and keeps its keys');
    expect(calls).not.toContain('secrets:lock');
    act(() =>
      [...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Lock keys')!.click(),
    );
    await flush();
    expect(calls).toContain('secrets:lock');
    expect(useSecrets.getState().notice?.text).toMatch(
      /^Keys locked: forgotten from memory\. ANTHROPIC_API_KEY will be fetched again from Secret Service/,
    );
    // The card says locked, never "Not set", beside the fingerprint.
    expect(document.querySelector('[data-field="status"]')!.textContent).toBe(
      'Locked — fetched again at next start',
    );
  });
});

describe('stale consumers', () => {
  it('names the service with Restart now, which restarts it', async () => {
    useSecrets.setState({
      snapshot: keys({
        staleConsumers: [
          { service: 'agent-runner', pid: 4242, key: 'ANTHROPIC_API_KEY', reason: 'deleted' },
        ],
      }),
    });
    act(() => root.render(<StaleKeysNotice />));
    const notice = document.querySelector('[data-field="stale-keys"]')!;
    expect(notice.textContent).toContain(
      'Agent runner is still running with the deleted ANTHROPIC_API_KEY (pid 4242)',
    );
    act(() => button('Restart now').click());
    await flush();
    expect(calls).toContain('services:restart');
    act(() => useSecrets.setState({ snapshot: keys({ staleConsumers: [] }) }));
    expect(document.querySelector('[data-field="stale-keys"]')).toBeNull();
  });

  it('the delete confirmation says the running runner keeps the key', () => {
    act(() => root.render(<KeysView />));
    act(() => button('Delete').click());
    const dialog = document.querySelector('[role="dialog"]')!;
    expect(dialog.textContent).toContain(
      'Agent runner is running with this key and keeps it until it is restarted',
    );
  });
});

describe('Keys words', () => {
  it('Rotate says it restarts the runner and that the old key returns; one Cancel', () => {
    useSecrets.setState({ dialog: { name: 'ANTHROPIC_API_KEY', mode: 'rotate' } });
    act(() => root.render(<KeyDialog />));
    expect(button('Rotate and restart agent-runner').type).toBe('submit');
    const text = document.querySelector('[data-field="rotate-plan"]')!.textContent;
    expect(text).toContain('restarts agent-runner with the new key');
    expect(text).toContain('the old key is put back');
    expect([...document.querySelectorAll('button')].map((b) => b.textContent)).not.toContain(
      'Skip',
    );
    expect(document.body.textContent).toContain('Remember in the system keychain (Secret Service)');
  });

  it('an optional key has one Cancel too, and Touch ID only where it exists', () => {
    useSecrets.setState({
      snapshot: keys({
        keys: [
          key({
            name: 'OPENAI_API_KEY',
            required: false,
            set: false,
            loaded: false,
            fingerprint: null,
          }),
        ],
      }),
      dialog: { name: 'OPENAI_API_KEY', mode: 'enter' },
    });
    act(() =>
      root.render(
        <>
          <KeysView />
          <KeyDialog />
        </>,
      ),
    );
    const labels = [...document.querySelectorAll('[role="dialog"] button')].map(
      (b) => b.textContent,
    );
    expect(labels.filter((l) => l === 'Cancel' || l === 'Skip')).toEqual(['Cancel']);
    expect(document.querySelector('[data-field="touch-id"]')).toBeNull();
    expect(document.body.textContent).not.toContain('Touch ID');
  });

  it('the key card says who requires the key; a locked session key is not "Not set"', () => {
    act(() => root.render(<KeysView />));
    expect(document.querySelector('.key-card .tag')!.textContent).toBe('required by agent-runner');
    expect(keyStatus(key({ set: false, loaded: false, remembered: false }))).toBe(
      'Locked — enter it again to use it',
    );
    expect(keyStatus(key({ set: false, loaded: false, fingerprint: null }))).toBe('Not set');
  });

  it('the keychain problem is said once', () => {
    const reason =
      'No keychain is reachable (no D-Bus). Keys are kept in memory for this session only.';
    useSecrets.setState({
      snapshot: keys({ keychain: { backend: 'none', available: false, reason } }),
      dialog: { name: 'ANTHROPIC_API_KEY', mode: 'enter' },
    });
    act(() =>
      root.render(
        <>
          <KeysView />
          <KeyDialog />
        </>,
      ),
    );
    const view = document.querySelector('[data-field="keychain"]')!.textContent!;
    expect(view.match(/memory/g)).toHaveLength(1);
    const dialog = document.querySelector('[role="dialog"]')!.textContent!;
    expect(dialog.match(/memory/g)).toHaveLength(1);
  });
});
