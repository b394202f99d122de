import { useLayoutEffect, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { createPortal } from 'react-dom';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** How many modals are open: the app root stays inert while any is. */
let openCount = 0;

/** Whether focus can go to `el`: still in the page, enabled, not in an inert part. */
const usable = (el: HTMLElement): boolean =>
  el.isConnected && !(el as HTMLButtonElement).disabled && !el.closest('[inert], [hidden]');

/**
 * Puts focus back where it was before a modal opened: the opener itself, or, when the opener
 * went away or was disabled meanwhile (Stop confirmed: the Stop button is disabled while it
 * stops), the next usable control in the opener's row or group, or that group itself. Checked
 * again once the commit that closed the modal is done, when the page's state is final.
 */
export function restoreFocus(
  opener: HTMLElement | null,
  scope: HTMLElement | null,
  closing: HTMLElement | null = null,
): void {
  if (!opener) return;
  const doc = opener.ownerDocument;
  const attempt = () => {
    const active = doc.activeElement;
    // Something else took focus on purpose (another dialog, a control): leave it.
    const leaving =
      !active || active === doc.body || active === opener || closing?.contains(active);
    if (!leaving) return;
    if (usable(opener)) {
      if (active !== opener) opener.focus();
      return;
    }
    if (!scope?.isConnected) return;
    const items = [...scope.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(usable);
    const after = items.find(
      (el) => opener.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING,
    );
    const target = after ?? items[items.length - 1] ?? scope;
    if (!target.hasAttribute('tabindex') && !items.includes(target)) target.tabIndex = -1;
    target.focus();
  };
  attempt();
  queueMicrotask(attempt);
}

interface ModalProps {
  /** Id of the element that names the dialog (its title). */
  labelledBy: string;
  describedBy?: string;
  /** Esc; the modal does not close on backdrop clicks so nothing typed is lost. */
  onCancel(): void;
  /** Element focused on open; the first focusable element otherwise. */
  initialFocus?: RefObject<HTMLElement | null>;
  className?: string;
  children: ReactNode;
}

/**
 * A centred modal dialog over a backdrop: focus moves in on open, Tab and Shift+Tab cycle
 * inside, Esc cancels, the rest of the app is inert, focus returns to the opener on close.
 */
export function Modal({
  labelledBy,
  describedBy,
  onCancel,
  initialFocus,
  className,
  children,
}: ModalProps) {
  const ref = useRef<HTMLDivElement>(null);
  const cancel = useRef(onCancel);
  cancel.current = onCancel;

  useLayoutEffect(() => {
    const active = document.activeElement;
    // The body is not a place to return to; nor is another element that is not there to use.
    const dialog = ref.current;
    const opener = active instanceof HTMLElement && active !== document.body ? active : null;
    // Where to land if the opener is disabled or gone by then: its row, group or section.
    const scope = opener?.closest<HTMLElement>('[data-focus-scope], li, section, main') ?? null;
    const root = document.getElementById('root');
    openCount += 1;
    root?.setAttribute('inert', '');
    const first = initialFocus?.current ?? ref.current?.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? ref.current)?.focus();
    return () => {
      openCount -= 1;
      if (openCount === 0) root?.removeAttribute('inert');
      restoreFocus(opener, scope, dialog);
    };
    // Runs once per open: the opener and the initial focus are read at mount.
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      event.preventDefault();
      cancel.current();
      return;
    }
    if (event.key !== 'Tab' || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
      (el) => el.offsetParent !== null || el === document.activeElement,
    );
    if (items.length === 0) {
      event.preventDefault();
      return;
    }
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !ref.current.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !ref.current.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div className="backdrop">
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        className={className ? `modal ${className}` : 'modal'}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        {children}
      </div>
    </div>,
    document.body,
  );
}
