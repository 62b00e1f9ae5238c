import { useTranslation } from 'react-i18next';
import type { AudioConference } from '../api/types.ts';
import { currentLocale } from '../i18n/index.ts';
import { DATE_TIME, TIME, formatInstant, zoneAbbreviation } from '../i18n/format.ts';
import './audio.css';
import type { AudioState } from './useAudioConference.ts';

/** "Italy" / "Italia" for "IT"; the code itself when the browser has no name for it. */
function countryName(code: string): string {
  try {
    return new Intl.DisplayNames([currentLocale()], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Whether the server has telephone dial-in at all (a booking may still have it turned off). */
export const telephonyOffered = (view: AudioConference) => view.available;

function sameDay(a: string, b: string, zone: string) {
  const day = (v: string) => formatInstant(v, zone, { year: 'numeric', month: '2-digit', day: '2-digit' });
  return day(a) === day(b);
}

/** The ways into a booking's audio conference: numbers with one-tap links, PINs, SIP, and when it is open. */
export function DialIn({ state, timeZone }: { state: AudioState; timeZone: string }) {
  const { t } = useTranslation();
  if (state.status !== 'ready' || !telephonyOffered(state.view)) {
    return <span className="placeholder">{t('details.dialInPending')}</span>;
  }
  const view = state.view;
  if (!view.enabled || !view.pin) return <span className="muted">{t('audio.isOff')}</span>;
  const closes = formatInstant(view.closesAt, timeZone, sameDay(view.opensAt, view.closesAt, timeZone) ? TIME : DATE_TIME);
  return (
    <div className="dial-in">
      {view.numbers.length > 0 && (
        <>
          <ul className="dial-in-numbers" aria-label={t('audio.numbers')}>
            {view.numbers.map((n) => (
              <li key={n.number}>
                {/* Empty without a country, so the number keeps its column. */}
                <span className="dial-in-country">{n.country ? countryName(n.country) : ''}</span>
                {/* The server's tel: URI ends in ",,<PIN>#": phones pause at each comma, then send the PIN as tones. */}
                <a href={n.tel} className="dial-in-number">
                  {n.number}
                </a>
              </li>
            ))}
          </ul>
          <p className="field-hint">{t('audio.oneTap')}</p>
        </>
      )}
      <dl className="dial-in-codes">
        <div>
          <dt>{t('audio.pin')}</dt>
          <dd>
            <span className="pin">{view.pin}</span>
          </dd>
        </div>
        {view.hostPin && (
          <div>
            <dt>{t('audio.hostPin')}</dt>
            <dd>
              <span className="pin">{view.hostPin}</span>
              <span className="field-hint">{t('audio.hostPinNote')}</span>
            </dd>
          </div>
        )}
        {view.sipUri && (
          <div>
            <dt>{t('audio.sip')}</dt>
            <dd>
              <a href={view.sipUri}>{view.sipUri}</a>
            </dd>
          </div>
        )}
      </dl>
      <p className="muted small dial-in-window">
        {t('audio.window', {
          opens: formatInstant(view.opensAt, timeZone),
          closes,
          zone: zoneAbbreviation(timeZone, view.opensAt),
        })}
      </p>
    </div>
  );
}
