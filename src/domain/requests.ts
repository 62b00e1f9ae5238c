// Requests that an administrator approves: what self-service may not grant is asked for, with a
// reason, instead of being refused. Which refusals may be asked for, and how a request's state moves.
import { AppError } from './errors.ts';

/**
 * The self-service limits a request may ask to pass. An approval waives exactly these; the rules
 * that keep bookings sound stay: the room's overlap (with turnaround), the licence seat pool, the
 * institution's monthly quota, the grid, the minimum duration, a start not in the past and an
 * active room.
 */
export const ASKABLE_CODES = [
  'DURATION_TOO_LONG',
  'TOO_FAR_AHEAD',
  'SEATS_OVER_CAPACITY',
  'NO_ROOM_FITS',
  'SEATS_OVER_SHARE',
  'ROOM_ON_APPROVAL',
  'NOT_ALLOWED_TO_BOOK',
  'OUTSIDE_SUBSCRIPTION',
] as const;
export type AskableCode = (typeof ASKABLE_CODES)[number];

export const isAskable = (code: string): code is AskableCode => (ASKABLE_CODES as readonly string[]).includes(code);

export const REQUEST_STATES = ['pending', 'approved', 'denied', 'expired', 'withdrawn'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export type RequestDecision = Exclude<RequestState, 'pending'>;

/** Only a pending request moves, and only once: to approved, denied, expired or withdrawn. */
export function checkPending(state: RequestState, now: Date, start: Date, decision: RequestDecision): void {
  if (state !== 'pending') {
    throw new AppError('conflict', 'REQUEST_DECIDED', `This request is already ${state}; it can no longer be ${decision}.`, { state }, {
      it: `Questa richiesta è già ${STATE_IT[state]}; non può più essere ${STATE_IT[decision]}.`,
    });
  }
  if (decision !== 'withdrawn' && decision !== 'expired' && start.getTime() <= now.getTime()) {
    throw new AppError('unprocessable', 'REQUEST_EXPIRED', 'The time this request asks for has already begun; it expires and can no longer be decided.', {}, {
      it: 'L’orario chiesto da questa richiesta è già iniziato: la richiesta scade e non si può più decidere.',
    });
  }
}

/**
 * The most requests one person may have waiting at once: enough for a term's events, and a bound on
 * what one account can pile into the administrators' queue.
 */
export const MOST_PENDING_REQUESTS = 20;

/** Refuses a new request from someone who already has MOST_PENDING_REQUESTS waiting. */
export function checkPendingCount(pending: number): void {
  if (pending < MOST_PENDING_REQUESTS) return;
  throw new AppError(
    'conflict',
    'TOO_MANY_PENDING_REQUESTS',
    `You already have ${pending} requests waiting for an administrator. Wait for their answers, or withdraw one you no longer need, then ask again.`,
    { pending, most: MOST_PENDING_REQUESTS },
    { it: `Hai già ${pending} richieste in attesa di un amministratore. Aspetta le risposte, o ritirane una che non ti serve più, poi chiedi di nuovo.` },
  );
}

const STATE_IT: Record<RequestState, string> = { pending: 'in attesa', approved: 'approvata', denied: 'rifiutata', expired: 'scaduta', withdrawn: 'ritirata' };

/** What a refused booking carries over into a request form: the refusal's own input, unchanged. */
export type RequestDraft = { title: string; description?: string | undefined; roomId?: string | undefined; seats?: number | undefined; start: string; end: string };

/**
 * A refusal that may be asked for says so (`askable: true`) and carries the booking's input, so the
 * answer's reader can offer "ask an administrator for it" prefilled. Others pass through unchanged.
 */
export function offerRequest(e: unknown, draft: RequestDraft): unknown {
  if (!(e instanceof AppError) || !isAskable(e.code) || e.details.beyondApproval) return e;
  const ask = { title: draft.title, start: draft.start, end: draft.end, ...(draft.description && { description: draft.description }), ...(draft.roomId && { roomId: draft.roomId }), ...(draft.seats !== undefined && { seats: draft.seats }) };
  return new AppError(e.kind, e.code, e.message, { ...e.details, askable: true, ask }, e.translations);
}
