// Adobe Connect Universal Voice (docs/telephony.md, "Adobe Connect"): the meeting room itself dials
// the booking's audio conference and keys in its PIN. The operator defines one Universal Voice audio
// provider in Connect whose dial-in sequence dials our number and sends the PIN field as DTMF; each
// booking with an audio conference gets a telephony profile of that provider, named after the
// booking (which makes `prepare` idempotent), carrying the number and the PIN, attached to the meeting.
import { bookingHandle, permanent, type MeetingSpec } from '../port.ts';
import type { AdobeTelephony } from '../settings.ts';

type Node = Record<string, unknown>;
type Call = (action: string, params: Record<string, string | number | undefined>) => Promise<Node>;

// Every field name the calls below send, in one place. From Adobe's telephony-profile-update page
// (adobe-connect-api.md §9): profile-name, profile-id, profile-status, provider-id, conf-number,
// location, field-id, value. NOT named by Adobe's documentation:
// - the ACL field that attaches a profile to a meeting: `telephony-profile` through acl-field-update
//   is UNCONFIRMED in §9 (no source shows it);
// - the provider field that holds the PIN: it is whatever field the operator's provider defines
//   (ADOBE_CONNECT_TELEPHONY_PIN_FIELD), since Universal Voice providers have no standard PIN field.
const FIELDS = {
  name: 'profile-name',
  id: 'profile-id',
  status: 'profile-status',
  provider: 'provider-id',
  number: 'conf-number',
  location: 'location',
  fieldId: 'field-id',
  fieldValue: 'value',
  meetingProfileField: 'telephony-profile',
} as const;

const one = (x: unknown): Node | undefined => [x].flat()[0] as Node | undefined;

export class UniversalVoice {
  private readonly call: Call;
  private readonly cfg: AdobeTelephony;

  constructor(call: Call, cfg: AdobeTelephony) {
    this.call = call;
    this.cfg = cfg;
  }

  /**
   * Creates or updates the booking's profile and attaches it to the meeting; without `spec.audio`
   * a profile left from before is deleted. Returns the profile id, or null when there is none.
   */
  async prepare(scoId: string, spec: MeetingSpec): Promise<string | null> {
    const existing = await this.find(spec.bookingId);
    if (!spec.audio) {
      if (existing) await this.delete(existing);
      return null;
    }
    const number = spec.audio.numbers[0];
    const answer = await this.call('telephony-profile-update', {
      ...(existing ? { [FIELDS.id]: existing, [FIELDS.status]: 'enabled' } : {}),
      [FIELDS.name]: bookingHandle(spec.bookingId),
      [FIELDS.provider]: this.cfg.providerId,
      // §9: location (a country code) is required with conf-number; a new conf-number replaces the old.
      ...(number ? { [FIELDS.number]: number, [FIELDS.location]: this.cfg.location } : {}),
      [FIELDS.fieldId]: this.cfg.pinField,
      [FIELDS.fieldValue]: spec.audio.pin,
    }).catch((e: unknown) => {
      // §9: telephony actions answer no-data when a parameter they need is missing or unknown.
      if ((e as { code?: string }).code === 'MEETING_NOT_FOUND') {
        throw permanent('PROVIDER_REFUSED', 'Adobe Connect refused the telephony profile (no-data); check ADOBE_CONNECT_TELEPHONY_PROVIDER_ID and ADOBE_CONNECT_TELEPHONY_PIN_FIELD.');
      }
      throw e;
    });
    const profileId = String(one(answer['telephony-profile'])?.['@profile-id'] ?? existing ?? '');
    if (!profileId) throw permanent('PROVIDER_REFUSED', 'Adobe Connect created a telephony profile without telling its profile-id.');
    await this.call('acl-field-update', { 'acl-id': scoId, [FIELDS.fieldId]: FIELDS.meetingProfileField, [FIELDS.fieldValue]: profileId });
    return profileId;
  }

  /** §9: deleting a profile also detaches it from its meetings. A profile already gone is fine. */
  async release(profileId: string | undefined, bookingId: string | undefined): Promise<void> {
    const id = profileId ?? (bookingId ? await this.find(bookingId) : null);
    if (id) await this.delete(id);
  }

  private async delete(profileId: string): Promise<void> {
    await this.call('telephony-profile-delete', { [FIELDS.id]: profileId }).catch((e: unknown) => {
      if ((e as { code?: string }).code !== 'MEETING_NOT_FOUND') throw e;
    });
  }

  /** The booking's profile among the portal account's (telephony-profile-list, §9). */
  private async find(bookingId: string): Promise<string | null> {
    const r = await this.call('telephony-profile-list', {});
    const profiles = [((r['telephony-profiles'] || {}) as Node).profile ?? []].flat() as Node[];
    const name = bookingHandle(bookingId);
    const found = profiles.find((p) => String(p[FIELDS.name] ?? '') === name);
    return found ? String(found['@profile-id']) : null;
  }
}
