import { useTranslation } from 'react-i18next';
import type { Booking } from '../api/types.ts';
import { formatSlot, zoneAbbreviation } from '../i18n/format.ts';

/**
 * Everything known about one booking. Join link, guest link and dial-in are filled by the
 * conferencing and telephony issues; until the API sends them their places say so.
 */
export function BookingDetails({ booking }: { booking: Booking }) {
  const { t } = useTranslation();
  return (
    <dl className="details-list">
      <div>
        <dt>{t('details.when')}</dt>
        <dd>
          {formatSlot(booking.start, booking.end, booking.timeZone, true)}{' '}
          <span className="muted">({zoneAbbreviation(booking.timeZone, booking.start)})</span>
        </dd>
      </div>
      <div>
        <dt>{t('details.room')}</dt>
        <dd>{booking.roomName}</dd>
      </div>
      <div>
        <dt>{t('details.seats')}</dt>
        <dd>{booking.seats}</dd>
      </div>
      <div>
        <dt>{t('details.booker')}</dt>
        <dd>{booking.booker.name}</dd>
      </div>
      {booking.description && (
        <div>
          <dt>{t('details.description')}</dt>
          <dd className="pre-line">{booking.description}</dd>
        </div>
      )}
      <div data-slot="join-link">
        <dt>{t('details.joinLink')}</dt>
        <dd>
          {booking.joinUrl ? (
            <a href={booking.joinUrl} rel="noopener">
              {t('details.join')}
            </a>
          ) : (
            <span className="placeholder">{t('details.joinPending')}</span>
          )}
        </dd>
      </div>
      <div data-slot="guest-link">
        <dt>{t('details.guestLink')}</dt>
        <dd>
          {booking.guestUrl ? (
            <code className="copyable">{booking.guestUrl}</code>
          ) : (
            <span className="placeholder">{t('details.guestPending')}</span>
          )}
        </dd>
      </div>
      <div data-slot="dial-in">
        <dt>{t('details.dialIn')}</dt>
        <dd>
          {booking.dialIn ? (
            t('details.dialInValue', { number: booking.dialIn.number, pin: booking.dialIn.pin })
          ) : (
            <span className="placeholder">{t('details.dialInPending')}</span>
          )}
        </dd>
      </div>
    </dl>
  );
}

export const icsUrl = (id: string) => `/api/v1/bookings/${encodeURIComponent(id)}/ics`;
