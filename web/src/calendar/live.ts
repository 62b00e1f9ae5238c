import type { BookingChange } from '../api/types.ts';

// One EventSource per tab, shared by every component that wants live booking changes.
// EventSource reconnects by itself; after a reconnect listeners get `null` ("resync"),
// because changes made while we were away were not delivered.

type Listener = (change: BookingChange | null) => void;
export type LiveStatus = 'connecting' | 'live' | 'offline';

const listeners = new Set<Listener>();
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

function open() {
  source = new EventSource('/api/v1/events', { withCredentials: true });
  source.addEventListener('booking', (event) => {
    let change: BookingChange;
    try {
      change = JSON.parse((event as MessageEvent<string>).data) as BookingChange;
    } catch {
      return;
    }
    for (const l of listeners) l(change);
  });
  source.addEventListener('open', () => {
    if (hadError) for (const l of listeners) l(null);
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
        if (source === dead && listeners.size > 0) open();
      }, 5000);
    }
  });
}

export function subscribeBookingChanges(listener: Listener): () => void {
  listeners.add(listener);
  if (!source && typeof EventSource !== 'undefined') open();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && source) {
      source.close();
      source = null;
      setStatus('connecting');
    }
  };
}
