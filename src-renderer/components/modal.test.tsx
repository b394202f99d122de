// @vitest-environment jsdom
import { act, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Modal } from './modal';

// Where focus goes when a modal closes: back to where it was, also for a dialog that opened by
// itself, and into the opener's row when the opener was disabled meanwhile. Real React in jsdom.

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let host: HTMLElement;
let root: Root;
let setOpen: (open: boolean) => void;
let setStopDisabled: (disabled: boolean) => void;

function Page() {
  const [open, set] = useState(false);
  const [stopDisabled, setDisabled] = useState(false);
  setOpen = set;
  setStopDisabled = setDisabled;
  return (
    <>
      <ul>
        <li data-testid="row">
          <button type="button">Start</button>
          <button type="button" disabled={stopDisabled}>
            Stop
          </button>
          <button type="button">Logs</button>
        </li>
      </ul>
      {open && (
        <Modal labelledBy="t" onCancel={() => set(false)}>
          <h2 id="t">Enter a key</h2>
          <input aria-label="value" />
        </Modal>
      )}
    </>
  );
}

const button = (text: string) =>
  [...host.querySelectorAll('button')].find((b) => b.textContent === text)!;
/** The modal restores focus at once and checks again after the commit: let that run. */
const settle = () => act(async () => await Promise.resolve());

beforeEach(() => {
  host = document.createElement('div');
  host.id = 'root';
  document.body.append(host);
  root = createRoot(host);
  act(() => root.render(<Page />));
});

afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

describe('Modal focus on close', () => {
  it('a dialog that opened by itself gives focus back to where it was', async () => {
    act(() => button('Logs').focus());
    act(() => setOpen(true)); // not from a click: e.g. a service asking for its key
    expect(document.activeElement?.getAttribute('aria-label')).toBe('value');
    expect(host.hasAttribute('inert')).toBe(true);
    act(() => setOpen(false));
    await settle();
    expect(host.hasAttribute('inert')).toBe(false);
    expect(document.activeElement).toBe(button('Logs'));
  });

  it('Esc closes it and focus returns too', async () => {
    act(() => button('Start').focus());
    act(() => setOpen(true));
    act(() => {
      document.activeElement!.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }),
      );
    });
    await settle();
    expect(document.querySelector('[role="dialog"]')).toBeNull();
    expect(document.activeElement).toBe(button('Start'));
  });

  it('when the opener was disabled meanwhile, focus goes to the next control of its row', async () => {
    act(() => button('Stop').focus());
    act(() => setOpen(true));
    act(() => {
      setOpen(false);
      setStopDisabled(true); // e.g. Stop confirmed: it disables itself while stopping
    });
    await settle();
    expect(document.activeElement).toBe(button('Logs'));
    expect(host.querySelector('[data-testid="row"]')!.contains(document.activeElement)).toBe(true);
  });

  it('leaves focus alone when nothing had it before', async () => {
    (document.activeElement as HTMLElement | null)?.blur();
    act(() => setOpen(true));
    act(() => setOpen(false));
    await settle();
    expect(document.activeElement).toBe(document.body);
  });
});
