// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceState, ServiceStatus } from '../../../src-shared/model/service';
import { serviceStatus } from '../../../src-shared/model/test-snapshots';
import { useServices } from '../../stores/services';
import { ServiceRow } from './service-row';

// The row's Stop/Restart while a start is in flight, and where keyboard focus goes when the
// focused button disables itself. Real React in jsdom; the store is set directly.

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const status = (state: ServiceState, extra: Partial<ServiceStatus> = {}): ServiceStatus =>
  serviceStatus('agent-runner', state, {
    displayName: 'Agent runner',
    critical: false,
    pid: 4242,
    ...extra,
  });

let host: HTMLElement;
let root: Root;

beforeEach(() => {
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
});

afterEach(() => {
  act(() => root.unmount());
  host.remove();
  useServices.setState({ pending: {} });
});

const render = (service: ServiceStatus) =>
  act(() => root.render(<ServiceRow service={service} now={0} />));
const button = (label: string) =>
  host.querySelector<HTMLButtonElement>(`button[aria-label="${label} Agent runner"]`)!;

describe('ServiceRow', () => {
  it('Stop and Restart stay enabled while its start request is in flight (starting, waiting)', () => {
    useServices.setState({ pending: { 'service:agent-runner': 'Starting…' } });
    render(status('starting'));
    expect(button('Stop').disabled).toBe(false);
    expect(button('Restart').disabled).toBe(false);
    expect(button('Start').disabled).toBe(true);
    render(status('waiting', { waitingFor: { label: 'Temporal', address: '127.0.0.1:7233' } }));
    expect(button('Stop').disabled).toBe(false);
    expect(host.textContent).toContain('Waiting for Temporal at 127.0.0.1:7233');
    expect(host.textContent).toContain('temporal server start-dev');
  });

  it('moves focus to the next enabled control when the focused Stop disables itself', () => {
    render(status('starting'));
    act(() => button('Stop').focus());
    expect(document.activeElement).toBe(button('Stop'));
    act(() => useServices.setState({ pending: { 'service:agent-runner:stop': 'Stopping…' } }));
    render(status('stopping'));
    expect(button('Stop').disabled).toBe(true);
    // Restart is disabled too while stopping; Logs is the next control that works.
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Logs for Agent runner');
  });

  it('Start pressed: when it disables itself focus moves to the next enabled action of the row', () => {
    render(status('starting'));
    act(() => button('Start').focus()); // disabled: nothing happens
    render(status('crashed', { pid: null }));
    act(() => button('Start').focus());
    expect(document.activeElement).toBe(button('Start'));
    // The start request is in flight and the state says so: Start is disabled under the user.
    act(() => useServices.setState({ pending: { 'service:agent-runner': 'Starting…' } }));
    render(status('starting'));
    expect(button('Start').disabled).toBe(true);
    expect(document.activeElement).toBe(button('Stop'));
    expect(host.querySelector('li')!.contains(document.activeElement)).toBe(true);
  });

  it('a stack-wide action in flight neither locks the row nor puts its words in it', () => {
    useServices.setState({ pending: { 'stack:start': 'Starting…', 'stack:stop': 'Stopping…' } });
    render(status('failed', { pid: null, lastError: 'agent-runner exited with code 1.' }));
    expect(host.textContent).not.toContain('Starting');
    expect(host.textContent).not.toContain('Stopping');
    expect(button('Start').disabled).toBe(false);
    expect(button('Restart').disabled).toBe(false);
  });
});
