import { useEffect, useId, useRef, useState } from 'react';
import './audio.css';
import { useTranslation } from 'react-i18next';
import { problemMessage } from '../api/problems.ts';
import type { AudioConference, PhoneParticipant } from '../api/types.ts';
import { TIME, formatInstant } from '../i18n/format.ts';
import { Notice } from '../ui/Notice.tsx';
import { useToast } from '../ui/toasts.tsx';
import { telephonyOffered } from './DialIn.tsx';
import type { AudioActions, AudioState } from './useAudioConference.ts';

/**
 * Runs one action at a time and turns its failure into a sentence. Controls stay focusable while
 * an action runs (aria-disabled, not disabled), so keyboard focus does not fall back to the page.
 */
function useAction() {
  const { t } = useTranslation();
  const [running, setRunning] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function run(key: string, action: () => Promise<void>): Promise<boolean> {
    if (running) return false;
    setRunning(key);
    setError(null);
    try {
      await action();
      return true;
    } catch (e) {
      setError(problemMessage(t, e));
      return false;
    } finally {
      setRunning(null);
    }
  }
  return { running, error, run };
}

/** The on/off switch of a booking's audio conference (PUT /audio). */
function ConferenceSwitch({ view, actions }: { view: AudioConference; actions: AudioActions }) {
  const { t } = useTranslation();
  const toast = useToast();
  const labelId = useId();
  const hintId = useId();
  const [confirmOff, setConfirmOff] = useState(false);
  const switchRef = useRef<HTMLInputElement>(null);
  const { running, error, run } = useAction();

  async function change(enabled: boolean) {
    setConfirmOff(false);
    if (await run('enabled', () => actions.setEnabled(enabled))) toast(t(enabled ? 'audio.turnedOn' : 'audio.turnedOff'));
    switchRef.current?.focus();
  }

  return (
    <div data-slot="audio-conference">
      <dt id={labelId}>{t('audio.conference')}</dt>
      <dd>
        <label className="switch">
          <input
            ref={switchRef}
            type="checkbox"
            role="switch"
            aria-labelledby={labelId}
            aria-describedby={hintId}
            aria-disabled={running !== null}
            checked={view.enabled}
            onChange={(e) => {
              if (running) return;
              // Turning it off hangs up everyone on the phone: ask first when someone is.
              if (!e.target.checked && view.participants.length > 0) setConfirmOff(true);
              else void change(e.target.checked);
            }}
          />
          <span className="switch-state" aria-hidden="true">
            {view.enabled ? t('audio.state.on') : t('audio.state.off')}
          </span>
        </label>
        <p id={hintId} className="field-hint">
          {t('audio.switchHint')}
        </p>
        {confirmOff && (
          <div className="confirm-box" role="group" aria-label={t('audio.turnOffQuestion', { count: view.participants.length })}>
            <p>{t('audio.turnOffQuestion', { count: view.participants.length })}</p>
            <div className="button-row">
              <button type="button" className="button button-danger" autoFocus onClick={() => void change(false)}>
                {t('audio.turnOff')}
              </button>
              <button
                type="button"
                className="button button-quiet"
                onClick={() => {
                  setConfirmOff(false);
                  switchRef.current?.focus();
                }}
              >
                {t('audio.keepOn')}
              </button>
            </div>
          </div>
        )}
        {error && <Notice tone="error">{error}</Notice>}
      </dd>
    </div>
  );
}

function ParticipantItem({
  p,
  zone,
  busy,
  confirming,
  onMute,
  onAskRemove,
  onRemove,
  onKeep,
  removeRef,
}: {
  p: PhoneParticipant;
  zone: string;
  busy: boolean;
  confirming: boolean;
  onMute(): void;
  onAskRemove(): void;
  onRemove(): void;
  onKeep(): void;
  removeRef(el: HTMLButtonElement | null): void;
}) {
  const { t } = useTranslation();
  // The virtual room's own leg has no caller number (the API sends ''): its role is its name, so
  // its buttons are not just "Mute" and "Remove".
  const unnamedRoom = p.role === 'room' && !p.caller;
  const caller = unnamedRoom ? t('audio.role.room') : p.caller;
  return (
    <li className="phone-participant">
      <span className="phone-who">
        <span className="phone-caller">{caller}</span>
        {p.role !== 'participant' && !unnamedRoom && <span className={`tag${p.role === 'room' ? ' tag-muted' : ''}`}>{t(`audio.role.${p.role}`)}</span>}
        {p.muted && <span className="tag tag-warn">{t('audio.muted')}</span>}
        <span className="muted small">{t('audio.since', { time: formatInstant(p.joinedAt, zone, TIME) })}</span>
      </span>
      <span className="phone-actions">
        {/* One button that changes its words, so focus stays on it after a mute. */}
        <button
          type="button"
          className="button button-secondary button-small"
          aria-label={t(p.muted ? 'audio.unmute' : 'audio.mute', { caller })}
          aria-disabled={busy}
          onClick={onMute}
        >
          {t(p.muted ? 'audio.unmuteShort' : 'audio.muteShort')}
        </button>
        <button
          ref={removeRef}
          type="button"
          className="button button-quiet button-small"
          aria-label={t('audio.remove', { caller })}
          aria-disabled={busy}
          onClick={onAskRemove}
        >
          {t('audio.removeShort')}
        </button>
      </span>
      {confirming && (
        <div className="confirm-box phone-confirm" role="group" aria-label={t('audio.removeQuestion', { caller })}>
          <p>{t('audio.removeQuestion', { caller })}</p>
          <div className="button-row">
            <button type="button" className="button button-danger button-small" autoFocus onClick={onRemove}>
              {t('audio.confirmRemove')}
            </button>
            <button type="button" className="button button-quiet button-small" onClick={onKeep}>
              {t('audio.keep')}
            </button>
          </div>
        </div>
      )}
    </li>
  );
}

/** Who is on the phone right now, with mute, remove and the conference lock. */
function Participants({ view, actions, zone }: { view: AudioConference; actions: AudioActions; zone: string }) {
  const { t } = useTranslation();
  const toast = useToast();
  const { running, error, run } = useAction();
  const [confirming, setConfirming] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const removeButtons = useRef(new Map<string, HTMLButtonElement>());
  const listRef = useRef<HTMLDivElement>(null);
  const count = view.participants.length;
  const shown = useRef(count);

  // Say it when people join or leave, not when the list is first shown.
  useEffect(() => {
    if (shown.current !== count) setAnnouncement(t('audio.countChanged', { count }));
    shown.current = count;
  }, [count, t]);

  async function remove(p: PhoneParticipant) {
    setConfirming(null);
    await run(`remove:${p.id}`, () => actions.remove(p));
    listRef.current?.focus();
  }

  async function toggleLock() {
    const locked = !view.locked;
    if (await run('lock', () => actions.setLocked(locked))) toast(t(locked ? 'audio.lockedNow' : 'audio.unlockedNow'));
  }

  return (
    <div data-slot="phone-participants">
      <dt>{t('audio.participants', { count })}</dt>
      <dd>
        <div className="phone-toolbar">
          <span>{t('audio.seatsUsed', { used: view.phoneSeats, seats: view.seats })}</span>
          <span className={`tag ${view.locked ? 'tag-warn' : 'tag-ok'}`}>{t(view.locked ? 'audio.lockedTag' : 'audio.openTag')}</span>
          <button type="button" className="button button-secondary button-small" aria-disabled={running !== null} onClick={() => void toggleLock()}>
            {t(view.locked ? 'audio.unlock' : 'audio.lock')}
          </button>
        </div>
        <p className="field-hint">{t(view.locked ? 'audio.lockedHint' : 'audio.openHint')}</p>
        <div ref={listRef} tabIndex={-1} className="phone-list">
          {count === 0 ? (
            <p className="muted">{t('audio.nobody')}</p>
          ) : (
            <ul className="phone-participants" aria-label={t('audio.participantsList')}>
              {view.participants.map((p) => (
                <ParticipantItem
                  key={p.id}
                  p={p}
                  zone={zone}
                  busy={running !== null}
                  confirming={confirming === p.id}
                  onMute={() => void run(`mute:${p.id}`, () => actions.mute(p, !p.muted))}
                  onAskRemove={() => !running && setConfirming(p.id)}
                  onRemove={() => void remove(p)}
                  onKeep={() => {
                    setConfirming(null);
                    removeButtons.current.get(p.id)?.focus();
                  }}
                  removeRef={(el) => {
                    if (el) removeButtons.current.set(p.id, el);
                    else removeButtons.current.delete(p.id);
                  }}
                />
              ))}
            </ul>
          )}
        </div>
        <p className="visually-hidden" role="status" aria-live="polite">
          {announcement}
        </p>
        {error && <Notice tone="error">{error}</Notice>}
      </dd>
    </div>
  );
}

/** The rows of the booking details that only the booker, the institution's managers and admins see. */
export function PhoneConference({ state, actions, timeZone }: { state: AudioState; actions: AudioActions; timeZone: string }) {
  if (state.status !== 'ready' || !state.view.canManage || !telephonyOffered(state.view)) return null;
  return (
    <>
      <ConferenceSwitch view={state.view} actions={actions} />
      {state.view.enabled && <Participants view={state.view} actions={actions} zone={timeZone} />}
    </>
  );
}
