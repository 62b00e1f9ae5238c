import type { AudioChange, BookingChange } from '../api/types.ts';

// One EventSource per tab, shared by every component that wants live changes: `booking` events
// (a booking created, moved, cancelled) and `audio` events (a booking's phone participants,
// mutes or lock changed). EventSource reconnects by itself; after a reconnect listeners get
// `null` ("resync"), because changes made while we were away were not delivered; so they do on a
// `resync` event, which the server sends when its own database connection was lost and came back.

type Listener<T> = (change: T | null) => void;
export type LiveStatus = 'connecting' | 'live' | 'offline';

const bookingListeners = new Set<Listener<BookingChange>>();
const audioListeners = new Set<Listener<AudioChange>>();
const statusListeners = new Set<(status: LiveStatus) => void>();
let status: LiveStatus = 'connecting';

function setStatus(next: LiveStatus) {
  status = next;
  for (const l of statusListeners) l(status);
}

export function subscribeLiveStatus(listener: (status: LiveStatus) => void): () => void {
  statusListeners.add(listener);
  listener(status);
  return () => statusListeners.delete(listener);
}
let source: EventSource | null = null;
let hadError = false;

const listening = () => bookingListeners.size + audioListeners.size > 0;

function deliver<T>(listeners: Set<Listener<T>>) {
  return (event: Event) => {
    let change: T;
    try {
      change = JSON.parse((event as MessageEvent<string>).data) as T;
    } catch {
      return;
    }
    for (const l of listeners) l(change);
  };
}

function open() {
  source = new EventSource('/api/v1/events', { withCredentials: true });
  source.addEventListener('booking', deliver(bookingListeners));
  source.addEventListener('audio', deliver(audioListeners));
  source.addEventListener('resync', () => {
    for (const l of bookingListeners) l(null);
    for (const l of audioListeners) l(null);
  });
  source.addEventListener('open', () => {
    if (hadError) {
      for (const l of bookingListeners) l(null);
      for (const l of audioListeners) l(null);
    }
    hadError = false;
    setStatus('live');
  });
  source.addEventListener('error', () => {
    hadError = true;
    const closed = source?.readyState === EventSource.CLOSED;
    setStatus(closed ? 'offline' : 'connecting');
    // EventSource gives up for good on an HTTP error answer (e.g. a restart behind a proxy); try again later.
    if (closed) {
      const dead = source;
      window.setTimeout(() => {
        if (source === dead && listening()) open();
      }, 5000);
    }
  });
}

function subscribe<T>(listeners: Set<Listener<T>>, listener: Listener<T>): () => void {
  listeners.add(listener);
  if (!source && typeof EventSource !== 'undefined') open();
  return () => {
    listeners.delete(listener);
    if (!listening() && source) {
      source.close();
      source = null;
      setStatus('connecting');
    }
  };
}

const subscribeBookingChanges = (listener: Listener<BookingChange>) => subscribe(bookingListeners, listener);

/**
 * Calls `reload` once for a burst of the booking changes that `concerns` picks (a series sends one
 * change per meeting: 200 reads of a list for one series, before), and once after a resync.
 */
export function subscribeBookingReloads(reload: () => void, concerns: (change: BookingChange) => boolean = () => true): () => void {
  let timer: number | undefined;
  const unsubscribe = subscribeBookingChanges((change) => {
    if (change && !concerns(change)) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(reload, 80);
  });
  return () => {
    window.clearTimeout(timer);
    unsubscribe();
  };
}

/** `audio` events: data {bookingId}; fetch the booking's audio view again on each (and on null). */
export const subscribeAudioChanges = (listener: Listener<AudioChange>) => subscribe(audioListeners, listener);
