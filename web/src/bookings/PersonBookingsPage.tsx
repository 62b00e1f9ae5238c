import { useTranslation } from 'react-i18next';
import { problemMessage } from '../api/problems.ts';
import type { ListedUser } from '../api/types.ts';
import { useGet } from '../api/useGet.ts';
import { Link } from '../app/router.tsx';
import { useMe } from '../auth/session.tsx';
import { Notice } from '../ui/Notice.tsx';
import { PageHeader } from '../ui/PageHeader.tsx';
import { BookingsOf } from './MyBookingsPage.tsx';

/**
 * Someone's bookings, for an administrator (anyone) or an institution manager (their institution's
 * people, and of those the bookings the institution answers for): to find what a person booked, or
 * what stays after their account is disabled.
 */
export function PersonBookingsPage({ params }: { params: Record<string, string> }) {
  const { t } = useTranslation();
  const { me } = useMe();
  const id = params.id ?? '';
  const { data: person, error } = useGet<ListedUser>(`/api/v1/users/${encodeURIComponent(id)}`);

  const back = (
    <p className="breadcrumb">
      {me.role === 'admin' ? <Link to="/admin/users">← {t('nav.users')}</Link> : <Link to="/people">← {t('admin.users.membersTitle')}</Link>}
    </p>
  );
  if (error || !person) {
    return (
      <section className="page page-medium">
        {back}
        {error ? (
          <>
            <PageHeader title={t('personBookings.titleUnknown')} />
            <Notice tone="error">{problemMessage(t, error)}</Notice>
          </>
        ) : (
          <p role="status">{t('common.loading')}</p>
        )}
      </section>
    );
  }
  // As the API's rule for booking on someone's behalf has it (an administrator: anyone; a manager:
  // their institution's people), never for a disabled account; the API says why if it refuses.
  const mayBookFor =
    me.canBook && !person.disabled && person.id !== me.id && (me.role === 'admin' || (me.role === 'institution-manager' && person.institutionId === me.institution?.id));
  return (
    <section className="page page-medium">
      {back}
      <PageHeader
        title={t('personBookings.title', { name: person.name })}
        subtitle={
          <>
            {person.email}
            {person.disabled && <span className="tag tag-warn">{t('admin.users.disabledTag')}</span>}
          </>
        }
        actions={
          mayBookFor && (
            <Link to={`/bookings/new?${new URLSearchParams({ ownerId: person.id, ownerName: person.name }).toString()}`} className="button button-primary">
              {t('personBookings.bookFor', { name: person.name })}
            </Link>
          )
        }
      />
      <BookingsOf person={person} />
    </section>
  );
}
