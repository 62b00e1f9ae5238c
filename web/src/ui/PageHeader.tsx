import { useEffect, useRef, type ReactNode } from 'react';

// On the first page of a visit the browser's own focus order applies (Tab reaches the skip link
// first); after an in-app navigation the new page's h1 takes focus so screen readers hear it.
let firstPage = true;

/** The page's h1. */
export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (firstPage) {
      firstPage = false;
      return;
    }
    if (document.activeElement === document.body || document.activeElement?.closest('nav')) {
      ref.current?.focus({ preventScroll: true });
    }
  }, [title]);
  return (
    <div className="page-header">
      <div>
        <h1 ref={ref} tabIndex={-1}>
          {title}
        </h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}
