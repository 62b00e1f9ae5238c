// Booking on behalf (issue #17). A person names delegates (a department secretary for a professor);
// a delegate accepts before booking for them, and either may end it. Institution managers book for
// the members of their institution and admins for anyone without a delegation. Who may book for
// whom is the pure rule `bookForRefusal` (domain/access.ts); `onBehalf` applies it to a request.
import { bookForRefusal, type Actor } from '../domain/access.ts';
import { AppError } from '../domain/errors.ts';
import type { CallContext, Clock, Delegation, Locale, Repositories, UnitOfWork } from '../ports.ts';
import { countMails, type InvitationLimits } from './sender-limits.ts';

/** The queue of the mails that ask a delegate for their consent. */
export const DELEGATION_MAIL_QUEUE = 'delegation-mail';
export type DelegationMailJob = { personId: string; delegateId: string };
/** A consent request ready to be mailed to the delegate. */
export type DelegationMail = { to: string; name: string; locale: Locale | null; personName: string; personEmail: string; url: string };

/**
 * The call context of a booking for `ownerId`: unchanged when it is the caller, else with
 * `onBehalfOf` set once the rule allows it (else 403 NOT_ALLOWED_TO_BOOK_FOR, in both languages).
 */
export async function onBehalf(repos: Repositories, ctx: CallContext, ownerId: string | undefined): Promise<CallContext> {
  if (!ownerId || ownerId === ctx.actor.userId) return ctx;
  const [owner, delegation] = await Promise.all([repos.users.findById(ownerId), repos.delegations.find(ownerId, ctx.actor.userId)]);
  const refusal = owner
    ? bookForRefusal(ctx.actor, { id: owner.id, role: owner.role, institutionId: owner.institutionId, disabled: owner.disabledAt !== null }, delegation?.status ?? 'none')
    : bookForRefusal(ctx.actor, { id: ownerId, role: 'member', institutionId: null, disabled: false }, 'none');
  if (refusal || !owner) {
    const why = refusal ?? { en: 'No person with this id exists.', it: 'Non esiste una persona con questo identificativo.' };
    throw new AppError('forbidden', 'NOT_ALLOWED_TO_BOOK_FOR', why.en, { ownerId }, { it: why.it });
  }
  const onBehalfOf: Actor = { userId: owner.id, role: owner.role, institutionId: owner.institutionId, locale: owner.locale };
  return { ...ctx, onBehalfOf };
}

export type BookFor = {
  /** People who named the caller delegate and whose request the caller accepted. */
  people: { id: string; name: string; email: string }[];
  /** Whom else the caller may pick through the people search: their institution's members, or anyone. */
  search: 'none' | 'institution' | 'anyone';
};

export class DelegationService {
  private readonly uow: UnitOfWork;
  private readonly clock: Clock;
  private readonly publicUrl: string;
  private readonly limits: InvitationLimits | undefined;

  /** `limits`: the consent mail counts against the person's mails per hour, as invitations do. */
  constructor(deps: { uow: UnitOfWork; clock: Clock; publicUrl: string; limits?: InvitationLimits }) {
    this.uow = deps.uow;
    this.clock = deps.clock;
    this.publicUrl = deps.publicUrl;
    this.limits = deps.limits;
  }

  /** The delegates the caller named, with each one's consent. */
  async delegates(ctx: CallContext): Promise<Delegation[]> {
    return this.uow.repos.delegations.ofPerson(ctx.actor.userId);
  }

  /** The people who named the caller delegate: those accepted, and those waiting for an answer. */
  async delegations(ctx: CallContext): Promise<Delegation[]> {
    return this.uow.repos.delegations.ofDelegate(ctx.actor.userId);
  }

  /** Whom the booking forms offer under "Book for". */
  async bookFor(ctx: CallContext): Promise<BookFor> {
    const accepted = (await this.delegations(ctx)).filter((d) => d.status === 'accepted').map((d) => d.person);
    const { role } = ctx.actor;
    return { people: accepted, search: role === 'admin' ? 'anyone' : role === 'institution-manager' ? 'institution' : 'none' };
  }

  /**
   * Names a delegate by their e-mail address or id; they get a mail asking for their consent.
   * Naming someone already named changes nothing (and sends nothing again).
   */
  async addDelegate(ctx: CallContext, input: { email?: string | undefined; userId?: string | undefined }): Promise<Delegation> {
    return this.uow.transaction(async (r) => {
      const delegate = input.userId ? await r.users.findById(input.userId) : input.email ? await r.users.findByEmail(input.email) : null;
      if (!delegate) {
        throw new AppError(
          'not-found',
          'PERSON_NOT_FOUND',
          'No account uses this e-mail address: your delegate needs a WebMeetings account. Ask them to sign in once, then name them again.',
          {},
          { it: 'Nessun account usa questo indirizzo e-mail: il tuo delegato deve avere un account WebMeetings. Chiedigli di accedere una volta, poi nominalo di nuovo.' },
        );
      }
      if (delegate.id === ctx.actor.userId) {
        throw new AppError('invalid', 'DELEGATE_IS_YOU', 'You always book for yourself: name someone else as your delegate.', {}, { it: 'Prenoti sempre per te stesso: nomina un’altra persona come delegato.' });
      }
      if (delegate.disabledAt) {
        throw new AppError('unprocessable', 'DELEGATE_DISABLED', 'This account is disabled and cannot book for you; name someone else.', {}, { it: 'Questo account è disattivato e non può prenotare per te; nomina un’altra persona.' });
      }
      const added = await r.delegations.add(ctx.actor.userId, delegate.id, this.clock.now());
      if (added) {
        if (this.limits) await countMails(r, ctx.actor.userId, this.limits, this.clock.now(), 1, { refusable: true });
        await this.audit(r, ctx, 'delegation.asked', ctx.actor.userId, delegate.id, null, 'pending');
        await r.jobs.enqueue(DELEGATION_MAIL_QUEUE, { personId: ctx.actor.userId, delegateId: delegate.id } satisfies DelegationMailJob);
      }
      return (await r.delegations.find(ctx.actor.userId, delegate.id))!;
    });
  }

  /** The caller ends a delegation they gave. */
  async removeDelegate(ctx: CallContext, delegateId: string): Promise<void> {
    await this.end(ctx, ctx.actor.userId, delegateId);
  }

  /** The caller, as delegate, accepts to book for `personId`. */
  async accept(ctx: CallContext, personId: string): Promise<Delegation> {
    return this.uow.transaction(async (r) => {
      const before = await r.delegations.find(personId, ctx.actor.userId);
      const accepted = before && (await r.delegations.accept(personId, ctx.actor.userId, this.clock.now()));
      if (!accepted) throw this.noDelegation();
      if (before.status !== 'accepted') await this.audit(r, ctx, 'delegation.accepted', personId, ctx.actor.userId, before.status, 'accepted');
      return accepted;
    });
  }

  /** The caller, as delegate, declines a request or stops booking for `personId`. */
  async decline(ctx: CallContext, personId: string): Promise<void> {
    await this.end(ctx, personId, ctx.actor.userId);
  }

  /** What the consent mail says, or null when the request was answered or withdrawn meanwhile. */
  async prepareMail(job: DelegationMailJob): Promise<DelegationMail | null> {
    const d = await this.uow.repos.delegations.find(job.personId, job.delegateId);
    if (!d || d.status !== 'pending') return null;
    const delegate = await this.uow.repos.users.findById(job.delegateId);
    if (!delegate || delegate.disabledAt) return null;
    return {
      to: delegate.email,
      name: delegate.name,
      locale: delegate.locale,
      personName: d.person.name,
      personEmail: d.person.email,
      url: `${this.publicUrl.replace(/\/+$/, '')}/account/delegates`,
    };
  }

  private async end(ctx: CallContext, personId: string, delegateId: string): Promise<void> {
    await this.uow.transaction(async (r) => {
      const before = await r.delegations.find(personId, delegateId);
      if (!before || !(await r.delegations.remove(personId, delegateId))) throw this.noDelegation();
      await this.audit(r, ctx, 'delegation.ended', personId, delegateId, before.status, null);
    });
  }

  private noDelegation() {
    return new AppError('not-found', 'DELEGATION_NOT_FOUND', 'There is no such delegation (it may have ended already): reload the page.', {}, { it: 'Questa delega non esiste (forse è già terminata): ricarica la pagina.' });
  }

  private async audit(r: Repositories, ctx: CallContext, action: string, personId: string, delegateId: string, before: string | null, after: string | null) {
    await r.audit.record({
      actorId: ctx.actor.userId,
      action,
      entity: 'delegation',
      entityId: `${personId}:${delegateId}`,
      before: before && { personId, delegateId, status: before },
      after: after && { personId, delegateId, status: after },
      requestId: ctx.requestId,
    });
  }
}
