// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceStatus, StackSnapshot } from '../../../src-shared/model/service';
import { serviceStatus, stackSnapshot } from '../../../src-shared/model/test-snapshots';
import { useServices } from '../../stores/services';
import { ServicesView } from './services-view';
import { useServiceDialog } from './service-dialog';

// The Services view with a stand-in window.stigmer: every invoke is recorded and stays in
// flight until the test settles it, so "while Start all waits" is a state, not a race.

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

interface Call {
  channel: string;
  args: unknown;
  settle(value: StackSnapshot): void;
}
let calls: Call[];
let host: HTMLElement;
let root: Root;

const server = (state: ServiceStatus['state'], extra: Partial<ServiceStatus> = {}) =>
  serviceStatus('stigmer-server', state, { displayName: 'Stigmer server', ...extra });
const runner = (state: ServiceStatus['state'], extra: Partial<ServiceStatus> = {}) =>
  serviceStatus('agent-runner', state, {
    displayName: 'Agent runner',
    dependsOn: ['stigmer-server'],
    ...extra,
  });
const slow = (state: ServiceStatus['state']) =>
  serviceStatus('slow', state, { displayName: 'Slow one', critical: false });
const missing = serviceStatus('missing', 'not-installed', { displayName: 'Missing one' });
const broken = serviceStatus('broken', 'failed', {
  displayName: 'Broken one',
  lastError: 'broken exited with code 1.',
});

const show = (services: ServiceStatus[], version = 1) =>
  act(() => useServices.setState({ snapshot: { ...stackSnapshot(services), version } }));

beforeEach(() => {
  calls = [];
  (window as unknown as { stigmer: unknown }).stigmer = {
    invoke: (channel: string, args: unknown) =>
      new Promise((resolve) =>
        calls.push({ channel, args, settle: (value) => resolve({ ok: true, value }) }),
      ),
    on: () => () => undefined,
  };
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  act(() => root.render(<ServicesView />));
});

afterEach(() => {
  act(() => root.unmount());
  host.remove();
  useServices.setState({ pending: {}, snapshot: null, error: null });
  useServiceDialog.setState({ dialog: null });
});

const byLabel = (label: string) =>
  document.querySelector<HTMLButtonElement>(`button[aria-label="${label}"]`)!;
const byText = (text: string) =>
  [...document.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent === text)!;
const rowOf = (name: string) => host.querySelector<HTMLElement>(`li[data-service="${name}"]`)!;
const click = (b: HTMLButtonElement) => act(() => b.click());

describe('ServicesView while Start all waits for a slow service', () => {
  it('keeps Stop all, Reload and every row usable; rows show only their own state', async () => {
    show([server('ready'), runner('ready'), slow('starting'), missing, broken]);
    click(byText('Start all'));
    expect(calls.map((c) => c.channel)).toEqual(['stack:start']);
    expect(byText('Start all').disabled).toBe(true);
    expect(byText('Stop all').disabled).toBe(false);
    expect(byText('Reload stack file').disabled).toBe(false);
    // No row borrows the stack's "Starting…"; a failed or missing one says what it is.
    for (const name of ['stigmer-server', 'agent-runner', 'missing', 'broken']) {
      expect(rowOf(name).textContent).not.toContain('Starting');
    }
    expect(rowOf('broken').querySelector('[data-state]')!.textContent).toBe('Failed');
    expect(rowOf('missing').querySelector('[data-state]')!.textContent).toBe('Not installed');
    expect(byLabel('Start Broken one').disabled).toBe(false);
    // The slow row's Stop cancels its start; the runner's Stop works (the server's asks first).
    expect(byLabel('Stop Slow one').disabled).toBe(false);
    click(byLabel('Stop Slow one'));
    click(byLabel('Stop Agent runner'));
    expect(calls.slice(1).map((c) => [c.channel, c.args])).toEqual([
      ['services:stop', { name: 'slow' }],
      ['services:stop', { name: 'agent-runner' }],
    ]);
    click(byText('Stop all'));
    expect(calls.at(-1)!.channel).toBe('stack:stop');
    expect(byText('Stop all').disabled).toBe(true);
  });
});

describe('ServicesView: dependents', () => {
  it('asks before a Stop that stops others, naming them; Cancel returns focus to Stop', () => {
    show([server('ready'), runner('ready')]);
    act(() => byLabel('Stop Stigmer server').focus());
    click(byLabel('Stop Stigmer server'));
    const dialog = document.querySelector('[role="dialog"]')!;
    expect(dialog.textContent).toContain(
      'Stopping Stigmer server also stops Agent runner, which needs it.',
    );
    expect(calls).toEqual([]);
    click(byText('Cancel'));
    expect(document.querySelector('[role="dialog"]')).toBeNull();
    expect(document.activeElement).toBe(byLabel('Stop Stigmer server'));
  });

  it('confirmed: stops, and focus stays in the row when Stop is disabled', async () => {
    show([server('ready'), runner('ready')]);
    act(() => byLabel('Stop Stigmer server').focus());
    click(byLabel('Stop Stigmer server'));
    click(byText('Stop 2 services'));
    await act(async () => await Promise.resolve());
    expect(calls.map((c) => [c.channel, c.args])).toEqual([
      ['services:stop', { name: 'stigmer-server' }],
    ]);
    expect(byLabel('Stop Stigmer server').disabled).toBe(true);
    expect(rowOf('stigmer-server').contains(document.activeElement)).toBe(true);
    expect(document.activeElement).not.toBe(document.body);
  });

  it('says why a dependent stopped, and a Start offers it back (checked)', async () => {
    const by = { name: 'stigmer-server', displayName: 'Stigmer server' };
    show([server('stopped'), runner('stopped', { stoppedBy: by })]);
    expect(rowOf('agent-runner').querySelector('[data-field="stopped-by"]')!.textContent).toMatch(
      /^Stopped because Stigmer server was stopped\. Starting Stigmer server again/,
    );
    click(byLabel('Start Stigmer server'));
    const box = document.querySelector<HTMLInputElement>('[role="dialog"] input[type=checkbox]')!;
    expect(box.checked).toBe(true);
    expect(box.parentElement!.textContent).toBe('Also start Agent runner');
    click(byText('Start 2 services'));
    expect(calls.map((c) => [c.channel, c.args])).toEqual([
      ['services:start', { name: 'stigmer-server' }],
    ]);
    await act(async () => calls[0]!.settle(stackSnapshot([server('ready'), runner('stopped')])));
    expect(calls.map((c) => c.args)).toEqual([
      { name: 'stigmer-server' },
      { name: 'agent-runner' },
    ]);
  });

  it('unchecked: starts only the service asked for', async () => {
    const by = { name: 'stigmer-server', displayName: 'Stigmer server' };
    show([server('stopped'), runner('stopped', { stoppedBy: by })]);
    click(byLabel('Start Stigmer server'));
    act(() => document.querySelector<HTMLInputElement>('[role="dialog"] input')!.click());
    click(document.querySelector<HTMLButtonElement>('[role="dialog"] button.primary')!);
    expect(document.querySelector('[role="dialog"]')).toBeNull();
    await act(async () => calls[0]!.settle(stackSnapshot([server('ready'), runner('stopped')])));
    expect(calls.map((c) => c.args)).toEqual([{ name: 'stigmer-server' }]);
  });
});
