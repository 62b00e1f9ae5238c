// Which adapter serves a room: the room's `provider` column names it (null = the configured
// default), the adapters are built once from configuration (secrets), and the room's
// provider_settings (no secrets) travel with each MeetingSpec.
import type { Clock } from '../ports.ts';
import { AdobeConnectProvider } from './adobe-connect/adapter.ts';
import { BigBlueButtonProvider } from './bigbluebutton/adapter.ts';
import { JanusProvider } from './janus/adapter.ts';
import { JitsiProvider } from './jitsi/adapter.ts';
import { hasAttendanceReport, hasAttendeeLister, hasAudioLeg, hasGuestLobby, hasRecordingStore, hasMeetingLister, hasParticipantCounter, permanent, type ConferenceProvider } from './port.ts';
import type { ProvidersConfig } from './settings.ts';
import { instrumented, type CallObserver } from './instrumented.ts';

export type RegisteredProvider = {
  name: string;
  provider: ConferenceProvider;
  /** Capabilities, checked once here rather than at every use. */
  counts: boolean;
  attendance: boolean;
  lists: boolean;
  audio: boolean;
  /** Lists who is in a meeting by person (AttendeeLister). */
  attendees: boolean;
  /** Keeps recordings of its meetings (RecordingStore). */
  recordings: boolean;
  /** Holds guests at a door for a host (GuestLobby): the 'lobby' guest policy is offered. */
  lobby: boolean;
};

export class ProviderRegistry {
  private readonly byName = new Map<string, RegisteredProvider>();
  readonly defaultName: string;
  readonly fallbackName: string | null;

  constructor(cfg: ProvidersConfig, clock: Clock, overrides: Record<string, ConferenceProvider> = {}, portal: { publicUrl?: string; joinOpensMinutes?: number; observe?: CallObserver } = {}) {
    const now = () => clock.now();
    const built: Record<string, ConferenceProvider> = {
      jitsi: new JitsiProvider({ ...cfg.jitsi, openMinutesBefore: portal.joinOpensMinutes ?? 15, timeoutMs: cfg.timeoutMs, now }),
      ...(cfg.adobeConnect && { 'adobe-connect': new AdobeConnectProvider({ ...cfg.adobeConnect, timeoutMs: cfg.timeoutMs }) }),
      ...(cfg.janus && { janus: new JanusProvider({ ...cfg.janus, portalUrl: portal.publicUrl ?? '', timeoutMs: cfg.timeoutMs, now }) }),
      ...(cfg.bigbluebutton && { bigbluebutton: new BigBlueButtonProvider({ ...cfg.bigbluebutton, timeoutMs: cfg.timeoutMs, now, logoutUrl: portal.publicUrl }) }),
      ...overrides,
    };
    for (const [name, adapter] of Object.entries(built)) {
      const provider = portal.observe ? instrumented(name, adapter, portal.observe) : adapter;
      this.byName.set(name, { name, provider, counts: hasParticipantCounter(provider), attendance: hasAttendanceReport(provider), lists: hasMeetingLister(provider), audio: hasAudioLeg(provider), attendees: hasAttendeeLister(provider), recordings: hasRecordingStore(provider), lobby: hasGuestLobby(provider) });
    }
    this.defaultName = cfg.defaultProvider;
    this.fallbackName = cfg.fallbackProvider;
  }

  /** The provider a room uses; a permanent error when the room names one that is not configured. */
  nameForRoom(roomProvider: string | null): string {
    return roomProvider ?? this.defaultName;
  }

  get(name: string): RegisteredProvider {
    const found = this.byName.get(name);
    if (!found) throw permanent('PROVIDER_NOT_CONFIGURED', `The room uses the provider "${name}", which this portal has no configuration for; an administrator must configure it or change the room.`);
    return found;
  }

  all(): RegisteredProvider[] {
    return [...this.byName.values()];
  }
}
