import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client.ts';
import type { AudioConference, PhoneParticipant } from '../api/types.ts';
import { subscribeAudioChanges } from '../calendar/live.ts';

export type AudioState = { status: 'loading' } | { status: 'unavailable' } | { status: 'ready'; view: AudioConference };

export interface AudioActions {
  mute(p: PhoneParticipant, muted: boolean): Promise<void>;
  remove(p: PhoneParticipant): Promise<void>;
  setLocked(locked: boolean): Promise<void>;
  setEnabled(enabled: boolean): Promise<void>;
}

const audioPath = (bookingId: string) => `/api/v1/bookings/${encodeURIComponent(bookingId)}/audio`;

/**
 * A booking's audio conference, kept current: fetched once, again on every `audio` event for this
 * booking (and after a reconnect of the event stream), and after each action of ours.
 * A booking without an audio view (no such route yet, not visible, a server error) is "unavailable".
 */
export function useAudioConference(bookingId: string | null): { state: AudioState; actions: AudioActions } {
  const [state, setState] = useState<AudioState>({ status: 'loading' });
  // Answers can arrive out of order when events come in bursts: only the newest request may set the state.
  const latest = useRef(0);

  const load = useCallback(async () => {
    if (!bookingId) return;
    const mine = ++latest.current;
    try {
      const view = await api.get<AudioConference>(audioPath(bookingId));
      if (mine === latest.current) setState({ status: 'ready', view });
    } catch {
      // A failed refresh keeps what is shown; only a first load without an answer says "unavailable".
      if (mine === latest.current) setState((s) => (s.status === 'ready' ? s : { status: 'unavailable' }));
    }
  }, [bookingId]);

  useEffect(() => {
    setState(bookingId ? { status: 'loading' } : { status: 'unavailable' });
    if (!bookingId) return;
    void load();
    const unsubscribe = subscribeAudioChanges((change) => {
      if (change === null || change.bookingId === bookingId) void load();
    });
    return () => {
      unsubscribe();
      latest.current++; // drop answers that arrive after unmount
    };
  }, [bookingId, load]);

  const setView = useCallback((view: AudioConference) => {
    latest.current++;
    setState({ status: 'ready', view });
  }, []);

  const actions: AudioActions = {
    async mute(p, muted) {
      if (!bookingId) return;
      try {
        await api.post(`${audioPath(bookingId)}/participants/${encodeURIComponent(p.id)}/${muted ? 'mute' : 'unmute'}`);
      } finally {
        // Also after PARTICIPANT_NOT_FOUND: the caller left, and the list should say so.
        await load();
      }
    },
    async remove(p) {
      if (!bookingId) return;
      try {
        await api.delete(`${audioPath(bookingId)}/participants/${encodeURIComponent(p.id)}`);
      } finally {
        await load();
      }
    },
    async setLocked(locked) {
      if (bookingId) setView(await api.put<AudioConference>(`${audioPath(bookingId)}/lock`, { locked }));
    },
    async setEnabled(enabled) {
      if (bookingId) setView(await api.put<AudioConference>(audioPath(bookingId), { enabled }));
    },
  };
  return { state, actions };
}
