import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { problemMessage } from '../api/problems.ts';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { useStackedTable } from '../ui/stackedTable.ts';

/** Which item the page's edit dialog is open for: null to add one. */
export function useEditDialog<T>() {
  const [item, setItem] = useState<T | null>(null);
  const [open, setOpen] = useState(false);
  return {
    item,
    open,
    add: () => {
      setItem(null);
      setOpen(true);
    },
    edit: (it: T) => {
      setItem(it);
      setOpen(true);
    },
    close: () => setOpen(false),
  };
}

export interface Column {
  label: string;
  /** Numbers align right. */
  numeric?: boolean;
  /** A header only screen readers hear (the actions column). */
  hiddenLabel?: boolean;
}

/**
 * The layout every admin list shares: a header with its add button, an optional filter, the
 * loading, error and empty states, a table with one row per item, and the page's dialogs.
 */
export function AdminTable<T>({
  title,
  subtitle,
  addLabel,
  onAdd,
  actions,
  filter,
  items,
  error,
  empty,
  columns,
  row,
  width = 'medium',
  more,
  children,
}: {
  title: string;
  subtitle: string;
  addLabel?: string | undefined;
  onAdd?: (() => void) | undefined;
  /** The header's actions when they are not one add button (a link to another page). */
  actions?: ReactNode;
  filter?: ReactNode;
  items: T[] | null;
  error: unknown;
  empty: string;
  columns: Column[];
  row(item: T): ReactNode;
  width?: 'medium' | 'wide';
  /** A long list's next page: shown under the table while there is one. */
  more?: (() => void) | undefined;
  /** The dialogs of the page. */
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const table = useStackedTable();
  return (
    <section className={`page page-${width}`}>
      <PageHeader
        title={title}
        subtitle={subtitle}
        actions={
          actions ??
          (addLabel && onAdd ? (
            <button type="button" className="button button-primary" onClick={onAdd}>
              {addLabel}
            </button>
          ) : undefined)
        }
      />
      {filter}
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      {!items ? (
        error ? null : <p role="status">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <div className="empty-state">{empty}</div>
      ) : (
        <div className="table-wrap card">
          <table ref={table} className="data-table data-table-stack">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                {columns.map((c, i) => (
                  <th key={i} scope="col" className={c.numeric ? 'num' : undefined}>
                    {c.hiddenLabel ? <span className="visually-hidden">{c.label}</span> : c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{items.map(row)}</tbody>
          </table>
        </div>
      )}
      {items && items.length > 0 && more && (
        <p className="list-more">
          <span className="muted">{t('common.shownSoFar', { count: items.length })}</span>{' '}
          <button type="button" className="button button-secondary" onClick={more}>
            {t('common.loadMore')}
          </button>
        </p>
      )}
      {children}
    </section>
  );
}
