import { useLayoutEffect, useRef, type FocusEvent } from 'react';

/**
 * Keeps keyboard focus in a group of actions when the focused button becomes disabled under the
 * user (Stop pressed: it disables itself; Start: the state changed): focus moves to the next
 * enabled button, else the previous, else to `fallback` (the row), never to the page's body.
 * Spread `bind` on the element that holds the buttons.
 */
export function useFocusRescue<T extends HTMLElement = HTMLDivElement>(
  fallback?: () => HTMLElement | null,
) {
  const box = useRef<T>(null);
  const focused = useRef<HTMLButtonElement | null>(null);
  // Runs after every render of the owner: a prop or store change may have disabled the button.
  useLayoutEffect(() => {
    const button = focused.current;
    const group = box.current;
    if (!button || !group || !(button.disabled || !button.isConnected)) return;
    const doc = group.ownerDocument;
    const active = doc.activeElement;
    // Focus went somewhere else on purpose (another row, a dialog): leave it there.
    if (active !== button && active !== doc.body && active !== null) return;
    const buttons = [...group.querySelectorAll('button')];
    const at = buttons.indexOf(button);
    const next =
      buttons.slice(at + 1).find((b) => !b.disabled) ??
      buttons
        .slice(0, Math.max(at, 0))
        .reverse()
        .find((b) => !b.disabled);
    focused.current = next ?? null;
    if (next) next.focus();
    else fallback?.()?.focus();
  });
  return {
    ref: box,
    bind: {
      onFocus: (e: FocusEvent) => {
        if (e.target instanceof HTMLButtonElement) focused.current = e.target;
      },
      onBlur: (e: FocusEvent) => {
        // A button that loses focus because it was disabled has no next target: remember it.
        const to = e.relatedTarget;
        if (to instanceof Node && !box.current?.contains(to)) focused.current = null;
      },
    },
  };
}
