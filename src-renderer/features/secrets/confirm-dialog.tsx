import { useId, useRef } from 'react';
import { Modal } from '../../components/modal';

interface ConfirmDialogProps {
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm(): void;
  onCancel(): void;
}

/** A small yes/no modal (same focus rules as the key dialog); Cancel has focus first. */
export function ConfirmDialog({
  title,
  message,
  confirmLabel,
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
      <p id={`${id}-message`}>{message}</p>
      <div className="dialog-buttons">
        <button type="button" ref={cancelButton} onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
