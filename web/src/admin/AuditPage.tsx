import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { problemMessage } from '../api/problems.ts';
import type { AuditEntry, Page } from '../api/types.ts';
import { useMe } from '../auth/session.tsx';
import { zonedToInstant } from '../calendar/zone.ts';
import { formatInstant } from '../i18n/format.ts';
import { Field } from '../ui/Field.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { DateField } from '../ui/DateField.tsx';
import { useStackedTable } from '../ui/stackedTable.ts';
import { Link } from '../app/router.tsx';
import { en } from '../i18n/en.ts';
import { PersonPicker, type PickedPerson } from './PersonPicker.tsx';

interface Filters {
  entity: string;
  action: string;
  actor: PickedPerson | null;
  from: string;
  to: string;
}

const EMPTY: Filters = { entity: '', action: '', actor: null, from: '', to: '' };
const ENTITIES = ['booking', 'series', 'booking_request', 'room', 'institution', 'user', 'session', 'token'];
/** The actions the log records, by their stable code (labels in admin.audit.actions). */
const ACTIONS = Object.keys(en.admin.audit.actions).map((k) => k.replace(/_/g, '.'));
const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);

function Change({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  if (entry.before == null && entry.after == null) return <span className="muted">—</span>;
  return (
    <details className="audit-change">
      <summary>{t('admin.audit.showChange')}</summary>
      <div className="audit-json">
        {entry.before != null && (
          <div>
            <p className="small muted">{t('admin.audit.before')}</p>
            <pre>{JSON.stringify(entry.before, null, 2)}</pre>
          </div>
        )}
        {entry.after != null && (
          <div>
            <p className="small muted">{t('admin.audit.after')}</p>
            <pre>{JSON.stringify(entry.after, null, 2)}</pre>
          </div>
        )}
      </div>
    </details>
  );
}

/** "Booking made" for booking.created; the code itself only for an action this page does not know. */
function actionLabel(t: TFunction, action: string): string {
  return t(`admin.audit.actions.${action.replace(/\./g, '_')}`, { defaultValue: action });
}

export function AuditPage() {
  const { t } = useTranslation();
  const table = useStackedTable();
  const { settings } = useMe();
  const zone = settings.defaultTimeZone;
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [items, setItems] = useState<AuditEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(
    async (after: string | null) => {
      try {
        const page = await api.get<Page<AuditEntry>>('/api/v1/audit', {
          entity: filters.entity,
          action: filters.action,
          actorId: filters.actor?.id,
          from: isDate(filters.from) ? zonedToInstant(`${filters.from}T00:00`, zone).toISOString() : undefined,
          to: isDate(filters.to) ? zonedToInstant(`${filters.to}T23:59:59`, zone).toISOString() : undefined,
          limit: 50,
          cursor: after,
        });
        setItems((list) => (after && list ? [...list, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(null);
      } catch (e) {
        setError(e);
      }
    },
    [filters, zone],
  );

  useEffect(() => {
    setItems(null);
    void load(null);
  }, [load]);

  const set = (k: Exclude<keyof Filters, 'actor'>) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  function apply(event: FormEvent) {
    event.preventDefault();
    setFilters(draft);
  }

  return (
    <section className="page page-wide">
      <PageHeader title={t('admin.audit.title')} subtitle={t('admin.audit.subtitle')} />
      <form className="card filters" onSubmit={apply} aria-label={t('admin.audit.filters')}>
        <Field label={t('admin.audit.entity')}>
          <select value={draft.entity} onChange={set('entity')}>
            <option value="">{t('admin.audit.any')}</option>
            {ENTITIES.map((e) => (
              <option key={e} value={e}>
                {t(`admin.audit.entities.${e}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('admin.audit.action')}>
          <select value={draft.action} onChange={set('action')}>
            <option value="">{t('admin.audit.any')}</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {actionLabel(t, a)}
              </option>
            ))}
          </select>
        </Field>
        <PersonPicker label={t('admin.audit.actorId')} value={draft.actor} onChange={(actor) => setDraft((d) => ({ ...d, actor }))} />
        <Field label={t('admin.audit.from')} error={draft.from && !isDate(draft.from) ? t('form.errors.dateRequired') : null}>
          <DateField value={draft.from} onChange={(value) => set('from')({ target: { value } })} />
        </Field>
        <Field label={t('admin.audit.to')} error={draft.to && !isDate(draft.to) ? t('form.errors.dateRequired') : null}>
          <DateField value={draft.to} onChange={(value) => set('to')({ target: { value } })} />
        </Field>
        <div className="filters-actions">
          <button type="submit" className="button button-primary">
            {t('admin.audit.apply')}
          </button>
          <button type="button" className="button button-quiet" onClick={() => { setDraft(EMPTY); setFilters(EMPTY); }}>
            {t('admin.audit.reset')}
          </button>
        </div>
      </form>
      {error ? <Notice tone="error">{problemMessage(t, error)}</Notice> : null}
      {!items ? (
        <p role="status">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <div className="empty-state">{t('admin.audit.none')}</div>
      ) : (
        <div className="table-wrap card">
          <table ref={table} className="data-table data-table-stack">
            <caption className="visually-hidden">{t('admin.audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.audit.at')}</th>
                <th scope="col">{t('admin.audit.actor')}</th>
                <th scope="col">{t('admin.audit.action')}</th>
                <th scope="col">{t('admin.audit.entity')}</th>
                <th scope="col">{t('admin.audit.change')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <tr key={entry.id}>
                  <td className="nowrap">{formatInstant(entry.at, zone, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })}</td>
                  <td>{entry.actor?.name ?? <span className="muted">{t('admin.audit.system')}</span>}</td>
                  <td>{actionLabel(t, entry.action)}</td>
                  <td>
                    <span className="muted">{t(`admin.audit.entities.${entry.entity}`, { defaultValue: entry.entity })}</span>{' '}
                    {entry.entity === 'booking' ? <Link to={`/bookings/${entry.entityId}`}>{entry.entityName ?? t('admin.audit.unnamed')}</Link> : entry.entityName ? <span>{entry.entityName}</span> : <span className="muted">{t('admin.audit.unnamed')}</span>}
                  </td>
                  <td>
                    <Change entry={entry} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" className="button button-secondary" onClick={() => void load(cursor)}>
          {t('common.loadMore')}
        </button>
      )}
    </section>
  );
}
