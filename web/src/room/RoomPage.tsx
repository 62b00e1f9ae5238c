// The portal's own meeting room, /room/<booking>#jwt=<ticket> (issue #14). The join pages (/join,
// guest links) lead here with a ticket; the page trades it for the room's entry and joins Janus.
// Loaded only on this route (a lazy chunk with janus-gateway in it).
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { roomApi, type RoomVisit, type RoomWaiting, type WaitingGuest } from './api.ts';
import { Conference, type ConferenceState, type Person } from './conference.ts';
import './room.css';

const ticketOf = (hash: string) => /^#jwt=([\w-]+\.[\w-]+\.[\w-]+)$/.exec(hash)?.[1] ?? null;

export function RoomPage({ params }: { params: Record<string, string> }) {
  const { t } = useTranslation();
  const bookingId = params.bookingId ?? '';
  const [ticket] = useState(() => ticketOf(window.location.hash));
  const [visit, setVisit] = useState<RoomVisit | RoomWaiting | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [asked, setAsked] = useState(0);

  useEffect(() => {
    if (!ticket) return;
    roomApi.enter(bookingId, ticket).then(setVisit, (e: unknown) => setError(e instanceof ApiError ? e : new ApiError(0, {})));
  }, [bookingId, ticket, asked]);

  // At the lobby door: ask again every few seconds until the host answers.
  const waiting = visit?.status === 'waiting';
  useEffect(() => {
    if (!waiting) return;
    const timer = window.setInterval(() => setAsked((n) => n + 1), 3000);
    return () => window.clearInterval(timer);
  }, [waiting]);

  const joinHref = `/join/${encodeURIComponent(bookingId)}`;
  if (!ticket || error) {
    const code = error?.code ?? 'ROOM_TICKET_INVALID';
    const known = ['MEETING_CANCELLED', 'MEETING_ENDED', 'MEETING_NOT_OPEN', 'ROOM_NOT_READY', 'ROOM_TICKET_INVALID', 'LOBBY_REFUSED'].includes(code);
    return (
      <main className="room-message" lang={document.documentElement.lang}>
        <h1>{t(`room.closed.${known ? code : 'other'}.title`)}</h1>
        <p>{t(`room.closed.${known ? code : 'other'}.body`)}</p>
        {code !== 'MEETING_CANCELLED' && code !== 'MEETING_ENDED' && code !== 'LOBBY_REFUSED' && (
          <p>
            <a className="button button-primary" href={joinHref}>
              {t('room.openAgain')}
            </a>
          </p>
        )}
      </main>
    );
  }
  if (!visit) {
    return (
      <p className="splash" role="status">
        {t('room.entering')}
      </p>
    );
  }
  if (visit.status === 'waiting') {
    return (
      <main className="room-message">
        <h1>{visit.title}</h1>
        <p role="status">{t('room.lobby.waiting')}</p>
      </main>
    );
  }
  return <Meeting visit={visit} ticket={ticket} joinHref={joinHref} />;
}

/** The host's view of the lobby door: guests waiting, each with "let in" and "refuse". */
function Lobby({ visit, ticket, onNotice }: { visit: RoomVisit; ticket: string; onNotice: (text: string) => void }) {
  const { t } = useTranslation();
  const [guests, setGuests] = useState<WaitingGuest[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    roomApi.lobby(visit.bookingId, ticket).then((r) => live && setGuests(r.items), () => undefined);
    const timer = window.setTimeout(() => setTick((n) => n + 1), 3000);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [visit.bookingId, ticket, tick]);
  if (guests.length === 0) return null;
  const answer = async (g: WaitingGuest, admit: boolean) => {
    await roomApi.admit(visit.bookingId, ticket, g.key, admit).catch(() => undefined);
    setGuests((all) => all.filter((x) => x.key !== g.key));
    onNotice(t(admit ? 'room.lobby.admitted' : 'room.lobby.refused', { name: g.name }));
  };
  return (
    <section className="room-lobby" aria-labelledby="room-lobby-title">
      <h2 id="room-lobby-title">{t('room.lobby.title')}</h2>
      <ul>
        {guests.map((g) => (
          <li key={g.key}>
            <span>{g.name}</span>
            <span className="room-person-actions">
              <button type="button" onClick={() => void answer(g, true)} aria-label={t('room.lobby.admitOf', { name: g.name })}>
                {t('room.lobby.admit')}
              </button>
              <button type="button" className="danger" onClick={() => void answer(g, false)} aria-label={t('room.lobby.refuseOf', { name: g.name })}>
                {t('room.lobby.refuse')}
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** One Conference per mount: made and left by the same effect (so a remount never reuses a left one). */
function Meeting(props: { visit: RoomVisit; ticket: string; joinHref: string }) {
  const { t } = useTranslation();
  const [conference, setConference] = useState<Conference | null>(null);
  useEffect(() => {
    const c = new Conference(props.visit);
    setConference(c);
    void c.start();
    return () => c.leave();
  }, [props.visit]);
  if (!conference) {
    return (
      <p className="splash" role="status">
        {t('room.entering')}
      </p>
    );
  }
  return <MeetingView {...props} conference={conference} />;
}

function MeetingView({ visit, ticket, joinHref, conference }: { visit: RoomVisit; ticket: string; joinHref: string; conference: Conference }) {
  const { t, i18n } = useTranslation();
  const s = useSyncExternalStore(conference.subscribe, conference.snapshot);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    if (s.mutedByHost) setNotice(t('room.notice.mutedByHost'));
  }, [s.mutedByHost, t]);

  useEffect(() => {
    // Reloading must not enter again by itself after leaving or being removed.
    if (s.status === 'removed' || s.status === 'left' || s.status === 'ended') window.history.replaceState(null, '', window.location.pathname);
  }, [s.status]);

  if (s.status === 'removed' || s.status === 'left' || s.status === 'ended' || s.status === 'failed') {
    return (
      <main className="room-message">
        <h1>{t(`room.after.${s.status}.title`)}</h1>
        <p role="status">{t(`room.after.${s.status}.body`)}</p>
        {s.status !== 'ended' && s.status !== 'removed' && (
          <p>
            <a className="button button-primary" href={joinHref}>
              {t('room.openAgain')}
            </a>
          </p>
        )}
      </main>
    );
  }

  const when = new Intl.DateTimeFormat(i18n.language, { timeZone: visit.timeZone, timeStyle: 'short' });
  const host = visit.role === 'host';
  const act = async (work: Promise<void>, done: string) => {
    try {
      await work;
      setNotice(done);
    } catch (e) {
      setNotice(e instanceof ApiError && e.detail ? e.detail : t('errors.generic'));
    }
  };
  const tiles = [{ id: visit.janus.participantId, stream: s.local, me: true }, ...[...s.videos].map(([id, stream]) => ({ id, stream, me: false }))];
  const nameOf = (id: number) => s.people.find((p) => p.id === id)?.display ?? '';

  return (
    <main className="room" data-count={Math.min(tiles.length, 9)}>
      <header className="room-header">
        <h1>{visit.title}</h1>
        <p>
          {when.format(new Date(visit.start))} – {when.format(new Date(visit.end))} · {t('room.people', { count: s.people.length })}
        </p>
      </header>
      <section className="room-stage" aria-label={t('room.stage')}>
        {tiles.map((tile) => (
          <VideoTile key={tile.id} stream={tile.stream} label={tile.me ? t('room.you', { name: visit.janus.display }) : nameOf(tile.id)} mirrored={tile.me && !s.sharing} />
        ))}
      </section>
      <aside className="room-people" aria-labelledby="room-people-title">
        {host && <Lobby visit={visit} ticket={ticket} onNotice={setNotice} />}
        <h2 id="room-people-title">{t('room.participants')}</h2>
        <ul>
          {s.people.map((p) => (
            <PersonRow key={p.id} p={p} host={host} onMute={() => act(roomApi.mute(visit.bookingId, ticket, p.id, !p.muted), t(p.muted ? 'room.notice.unmuted' : 'room.notice.muted', { name: p.display }))} onRemove={() => act(roomApi.remove(visit.bookingId, ticket, p.id), t('room.notice.removed', { name: p.display }))} />
          ))}
        </ul>
      </aside>
      <Controls s={s} conference={conference} />
      <RemoteAudio stream={s.remoteAudio} />
      {/* One live region that stays mounted, so each new notice is announced. */}
      <div className="room-notice" role="status" aria-live="polite">
        {notice && <p className="notice notice-info">{notice}</p>}
      </div>
    </main>
  );
}

function Controls({ s, conference }: { s: ConferenceState; conference: Conference }) {
  const { t } = useTranslation();
  return (
    <div className="room-controls" role="group" aria-label={t('room.controls')}>
      <button type="button" className={!s.micMuted && !s.listenOnly ? 'on' : undefined} disabled={s.listenOnly} onClick={() => conference.toggleMic()}>
        {s.listenOnly ? t('room.listenOnly') : s.micMuted ? t('room.unmute') : t('room.mute')}
      </button>
      <button type="button" className={s.cameraOn ? 'on' : undefined} disabled={!s.hasCamera || s.sharing} onClick={() => conference.toggleCamera()}>
        {s.cameraOn ? t('room.cameraOff') : t('room.cameraOn')}
      </button>
      <button type="button" className={s.sharing ? 'on' : undefined} disabled={!navigator.mediaDevices?.getDisplayMedia} onClick={() => void conference.toggleScreen()}>
        {s.sharing ? t('room.stopSharing') : t('room.share')}
      </button>
      <button type="button" className={s.hand ? 'on' : undefined} onClick={() => conference.toggleHand()}>
        {s.hand ? t('room.lowerHand') : t('room.raiseHand')}
      </button>
      <button type="button" className="danger" onClick={() => conference.leave()}>
        {t('room.leave')}
      </button>
    </div>
  );
}

function PersonRow({ p, host, onMute, onRemove }: { p: Person; host: boolean; onMute: () => void; onRemove: () => void }) {
  const { t } = useTranslation();
  return (
    <li data-participant={p.id}>
      <span className="room-person">
        {p.me ? t('room.you', { name: p.display }) : p.display}
        {p.hand && <span className="room-hand">{t('room.handRaised')}</span>}
        {p.muted && <span className="room-muted">{t('room.isMuted')}</span>}
      </span>
      {host && !p.me && (
        <span className="room-person-actions">
          <button type="button" onClick={onMute} aria-label={t(p.muted ? 'room.unmuteOf' : 'room.muteOf', { name: p.display })}>
            {p.muted ? t('room.unmute') : t('room.mute')}
          </button>
          <button type="button" className="danger" onClick={onRemove} aria-label={t('room.removeOf', { name: p.display })}>
            {t('room.remove')}
          </button>
        </span>
      )}
    </li>
  );
}

function VideoTile({ stream, label, mirrored }: { stream: MediaStream | null; label: string; mirrored: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.srcObject = stream;
  }, [stream]);
  return (
    <figure className="room-tile">
      {stream ? <video ref={ref} autoPlay playsInline muted className={mirrored ? 'mirrored' : undefined} aria-label={label} /> : <div className="room-avatar" aria-hidden="true">{label.slice(0, 1).toUpperCase()}</div>}
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/** The room's mixed audio; a button when the browser wants a click before it plays sound. */
function RemoteAudio({ stream }: { stream: MediaStream | null }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLAudioElement>(null);
  const [blocked, setBlocked] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = stream;
    if (stream) el.play().then(() => setBlocked(false), () => setBlocked(true));
  }, [stream]);
  return (
    <>
      <audio ref={ref} autoPlay />
      {blocked && (
        <button type="button" className="room-audio-start" onClick={() => void ref.current?.play().then(() => setBlocked(false))}>
          {t('room.startAudio')}
        </button>
      )}
    </>
  );
}
