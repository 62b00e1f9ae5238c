import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

/**
 * A button that shows a small non-modal panel under it (disclosure pattern): Escape or a click
 * outside closes it and gives focus back to the button.
 */
export function Popover({
  label,
  buttonContent,
  buttonClass = 'button button-secondary',
  title,
  children,
  align = 'end',
  open: openProp,
  onOpenChange,
}: {
  /** The button's accessible name when its content is not words (e.g. "?"). */
  label?: string;
  buttonContent: ReactNode;
  buttonClass?: string;
  /** Heading of the panel. */
  title: string;
  children: ReactNode;
  align?: 'start' | 'end';
  /** Controlled from outside (a keyboard shortcut opens it), else the popover keeps its own state. */
  open?: boolean;
  onOpenChange?(open: boolean): void;
}) {
  const [ownOpen, setOwnOpen] = useState(false);
  const open = openProp ?? ownOpen;
  const latest = useRef(onOpenChange);
  latest.current = onOpenChange;
  const setOpen = (next: boolean | ((o: boolean) => boolean)) => {
    const value = typeof next === 'function' ? next(open) : next;
    setOwnOpen(value);
    latest.current?.(value);
  };
  const panelId = useId();
  const titleId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      setOpen(false);
      button.current?.focus();
    };
    const onPointer = (e: PointerEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  return (
    <div className="popover" ref={root}>
      <button
        ref={button}
        type="button"
        className={buttonClass}
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={label}
        onClick={() => setOpen((o) => !o)}
      >
        {buttonContent}
      </button>
      <div id={panelId} className={`popover-panel popover-${align}`} role="group" aria-labelledby={titleId} hidden={!open}>
        <h2 id={titleId} className="popover-title">
          {title}
        </h2>
        {children}
      </div>
    </div>
  );
}
