import { useTranslation } from 'react-i18next';
import { useGet } from '../api/useGet.ts';
import { formatSlot } from '../i18n/format.ts';

type InvitedMeeting = {
  id: string;
  title: string;
  roomName: string;
  timeZone: string;
  start: string;
  end: string;
  booker: { name: string };
  joinUrl: string;
  /** Invited as a co-host: they enter as host. */
  cohost: boolean;
};

/**
 * On "My bookings": the meetings others booked that the person is invited to by e-mail (their
 * account's address), soonest first, each with its way in. Nothing shown when there are none.
 */
export function InvitedMeetings() {
  const { t } = useTranslation();
  const read = useGet<{ items: InvitedMeeting[] }>('/api/v1/invitations?limit=50');
  const items = read.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="invited-title" className="invited-meetings">
      <h2 id="invited-title" className="section-title">
        {t('invited.title')}
      </h2>
      <ul className="invited-list">
        {items.map((m) => (
          <li key={m.id}>
            <div>
              <strong>{m.title}</strong>{' '}
              {m.cohost && <span className="tag">{t('bookingPage.cohost')}</span>}
              <div className="muted">
                {formatSlot(m.start, m.end, m.timeZone, true)} · {m.roomName} · {t('invited.by', { name: m.booker.name })}
              </div>
            </div>
            {/* Named with its meeting for a list read link by link; the visible word comes first. */}
            <a className="button button-secondary button-small" href={m.joinUrl} aria-label={`${t('invited.join')}: ${m.title}`}>
              {t('invited.join')}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
