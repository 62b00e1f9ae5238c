import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface DialogProps {
  open: boolean;
  title: string;
  onClose(): void;
  children: ReactNode;
  /** Rendered in the footer, right-aligned. */
  actions?: ReactNode;
  size?: 'normal' | 'wide';
}

/** A modal built on <dialog>: the browser traps focus, Escape closes, focus returns to the opener. */
export function Dialog({ open, title, onClose, children, actions, size = 'normal' }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { t } = useTranslation();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      const opener = document.activeElement as HTMLElement | null;
      // Opened from the keydown of Enter on an element that is no <button> (a calendar event is a
      // role=button div), the key's keypress comes next to what has focus now, the × button, whose
      // default for it is a click: it closed the dialog at once. A keypress in the dialog with no
      // keydown in it first is the opener's, so it does nothing here.
      let keyDownInside = false;
      const onKeyDown = () => {
        keyDownInside = true;
      };
      const onKeyPress = (event: KeyboardEvent) => {
        if (!keyDownInside) event.preventDefault();
      };
      dialog.addEventListener('keydown', onKeyDown, true);
      dialog.addEventListener('keypress', onKeyPress, true);
      dialog.showModal();
      return () => {
        dialog.removeEventListener('keydown', onKeyDown, true);
        dialog.removeEventListener('keypress', onKeyPress, true);
        if (dialog.open) dialog.close();
        opener?.focus?.();
      };
    }
    return undefined;
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size}`}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {open && (
        <div className="dialog-inner">
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon-button" onClick={onClose} aria-label={t('common.close')}>
              <span aria-hidden="true">×</span>
            </button>
          </header>
          <div className="dialog-body">{children}</div>
          {actions && <footer className="dialog-actions">{actions}</footer>}
        </div>
      )}
    </dialog>
  );
}
