import { useId, useRef } from 'react';
import { Modal } from '../../components/modal';

interface ConfirmDialogProps {
  title: string;
  message: string;
  confirmLabel: string;
  /** Further sentences under the message (e.g. which running service keeps the key). */
  details?: readonly string[];
  /** 'danger' (red, the default) for what cannot be undone; 'primary' otherwise. */
  tone?: 'danger' | 'primary';
  onConfirm(): void;
  onCancel(): void;
}

/** A small yes/no modal (same focus rules as the key dialog); Cancel has focus first. */
export function ConfirmDialog({
  title,
  message,
  confirmLabel,
  details = [],
  tone = 'danger',
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const id = useId();
  const cancelButton = useRef<HTMLButtonElement>(null);
  return (
    <Modal
      labelledBy={`${id}-title`}
      describedBy={`${id}-message`}
      onCancel={onCancel}
      initialFocus={cancelButton}
      className="confirm-dialog"
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <div id={`${id}-message`}>
        <p>{message}</p>
        {details.map((text) => (
          <p key={text} className="confirm-detail" data-field="confirm-detail">
            {text}
          </p>
        ))}
      </div>
      <div className="dialog-buttons">
        <button type="button" ref={cancelButton} onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className={tone} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
