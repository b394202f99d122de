// @vitest-environment jsdom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../../src-shared/model/service';
import { serviceStatus } from '../../../src-shared/model/test-snapshots';
import { ServiceRow } from './service-row';

// The row names the program that runs: the runner inside the app, or the path of the one the
// user installed or set. Real React in jsdom.

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

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
});

const render = (extra: Partial<ServiceStatus>) =>
  act(() =>
    root.render(
      <ServiceRow
        service={serviceStatus('agent-runner', 'ready', { displayName: 'Agent runner', ...extra })}
        now={0}
      />,
    ),
  );
const programTag = () => host.querySelector<HTMLElement>('[data-field="program"]');

describe('ServiceRow program', () => {
  it('says "bundled 3.8.0" for the runner the app carries', () => {
    render({ program: 'bundled 3.8.0' });
    expect(programTag()?.textContent).toBe('bundled 3.8.0');
  });

  it('shows the path of a runner the user installed, whole in the tooltip', () => {
    const where = '/home/me/.npm-global/lib/node_modules/@stigmer/runner-slim/main.js';
    render({ program: where });
    expect(programTag()?.textContent).toBe(where);
    expect(programTag()?.title).toBe(where);
  });

  it('shows no program when none was found', () => {
    render({ program: null });
    expect(programTag()).toBeNull();
  });
});
