// The objects the ARI double keeps, and their JSON exactly as Asterisk 22 writes it: field names and
// order as in shared/reference/asterisk-ari/*.jsonl (README "JSON shapes"; api-docs channels.json
// "Channel", bridges.json "Bridge", playbacks.json "Playback", applications.json "Application").
import type { CommandQueue, Playback } from './playback.ts';

export type CallerId = { name: string; number: string };
export type ChannelState = 'Down' | 'Ring' | 'Ringing' | 'Up';
export type Dialplan = { context: string; exten: string; priority: number; app_name: string; app_data: string };

export type Channel = {
  id: string;
  name: string;
  state: ChannelState;
  protocolId: string;
  caller: CallerId;
  connected: CallerId;
  dialplan: Dialplan;
  /** Where an originated channel sits outside Stasis: its ChannelDestroyed shows this again (d-originate). */
  dialDialplan: Dialplan;
  created: Date;
  language: string;
  /** The app gets this channel's events: inbound from StasisStart to StasisEnd, originated from
   *  the originate to ChannelDestroyed (README "Ordering"). */
  subscribed: boolean;
  inStasis: boolean;
  originated: boolean;
  hungUp: boolean;
  args: string[];
  bridgeId: string | null;
  muted: { in: boolean; out: boolean };
  /** addChannel `mute=true` (bridges.json): the bridge does not take this channel's audio. */
  bridgeMuted: boolean;
  inhibitConnectedLine: boolean;
  heard: string[];
  endpoint?: string;
  dialstring?: string;
  variables: Record<string, string>;
  /** Only externalMedia answers carry channelvars (resource_channels.c external_media_rtp_udp). */
  channelvars?: Record<string, string>;
  /** The channel's Stasis command queue: a playback holds it, later commands wait (README). */
  queue: CommandQueue;
  playing: Playback | null;
  /** Pending originate step (ring timeout), cancelled when the channel goes. */
  dialTimer: NodeJS.Timeout | null;
};

export type Bridge = {
  id: string;
  name: string;
  type: 'mixing' | 'holding';
  /** Native bridging allowed (`mixing` without a later `dtmf_events`/`proxy_media`): two channels
   *  then go `native_rtp`, and their DTMF never reaches the application (bridgeAttributes). */
  native: boolean;
  /** `video_sfu`: always softmix, never a smart bridge. */
  multimixOnly: boolean;
  videoMode: 'talker' | 'sfu' | 'single';
  technology: string;
  channels: string[];
  created: Date;
  /** How often the app subscribed to this bridge by adding a channel, minus removals/moves. A
   *  channel that hangs up inside does not unsubscribe, hence BridgeDestroyed only then (README). */
  appRefs: number;
  queue: CommandQueue;
  playing: Playback | null;
  destroyed: boolean;
};

/** `2026-11-25T21:36:50.520+0000`: UTC with milliseconds and `+0000` (README "JSON shapes"). */
export function ariTime(d: Date): string {
  return `${d.toISOString().slice(0, 23)}+0000`;
}

export function channelJson(ch: Channel, withVars = false): Record<string, unknown> {
  return {
    id: ch.id,
    name: ch.name,
    state: ch.state,
    protocol_id: ch.protocolId,
    caller: { name: ch.caller.name, number: ch.caller.number },
    connected: { name: ch.connected.name, number: ch.connected.number },
    accountcode: '',
    dialplan: { ...ch.dialplan },
    creationtime: ariTime(ch.created),
    language: ch.language,
    ...(withVars && ch.channelvars && { channelvars: { ...ch.channelvars } }),
  };
}

export function bridgeJson(b: Bridge): Record<string, unknown> {
  return {
    id: b.id,
    technology: b.technology,
    bridge_type: b.type,
    bridge_class: 'stasis',
    creator: 'Stasis',
    name: b.name,
    channels: [...b.channels],
    creationtime: ariTime(b.created),
    video_mode: b.videoMode,
  };
}

export type BridgeAttributes = Pick<Bridge, 'type' | 'native' | 'multimixOnly' | 'videoMode'>;

/**
 * POST /bridges `type`: "Comma separated list of bridge type attributes (mixing, holding,
 * dtmf_events, proxy_media, video_sfu, video_single, sdp_label)" (api-docs bridges.json, "Create a
 * new bridge"). res/stasis/stasis.c (bridge_create_common) applies them in order: `mixing` adds
 * the 1:1, multi-mix and NATIVE capabilities; `dtmf_events` and `proxy_media` remove NATIVE (so
 * `dtmf_events,mixing` still bridges natively); `video_sfu` leaves only multi-mix; other words are
 * ignored. No capability at all (e.g. `bogus-type`, c-errors) or holding with mixing: no bridge
 * (null; the resource answers 500). Without `type`: mixing.
 */
export function bridgeAttributes(type: string | undefined): BridgeAttributes | null {
  let mixing = false;
  let holding = false;
  let native = false;
  let videoMode: BridgeAttributes['videoMode'] = 'talker';
  for (const word of (type || 'mixing').split(',').map((w) => w.trim())) {
    if (word === 'mixing') [mixing, native] = [true, true];
    else if (word === 'holding') holding = true;
    else if (word === 'dtmf_events' || word === 'proxy_media') native = false;
    else if (word === 'video_sfu') videoMode = 'sfu';
    else if (word === 'video_single') videoMode = 'single';
  }
  if (videoMode === 'sfu') return { type: 'mixing', native: false, multimixOnly: true, videoMode };
  if (mixing === holding) return null;
  return { type: mixing ? 'mixing' : 'holding', native: mixing && native, multimixOnly: false, videoMode };
}

/** simple_bridge with 0-1 channels, native_rtp with 2 (b-two-calls) when native bridging is allowed,
 *  else simple_bridge; softmix beyond (Asterisk picks it for 3+ in a mixing bridge; not recorded). */
export function technologyFor(b: Bridge): string {
  if (b.type === 'holding') return 'holding_bridge';
  if (b.multimixOnly || b.channels.length > 2) return 'softmix';
  return b.channels.length === 2 && b.native ? 'native_rtp' : 'simple_bridge';
}

/** DELETE /channels/{id}?reason=... → hangup cause (resource_channels.c convert_reason_to_hangup_code). */
export const HANGUP_REASONS: Record<string, number> = {
  normal: 16,
  busy: 17,
  congestion: 34,
  no_answer: 19,
  timeout: 18,
  rejected: 21,
  unallocated: 1,
  normal_unspecified: 31,
  number_incomplete: 28,
  codec_mismatch: 58,
  interworking: 127,
  failure: 38,
  answered_elsewhere: 26,
};

/** ChannelDestroyed `cause_txt` (16, 17, 19 recorded in d/d2; the rest from Asterisk's cause table). */
const CAUSE_TEXT: Record<number, string> = {
  1: 'Unallocated (unassigned) number',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  26: 'Answered elsewhere',
  28: 'Invalid Number Format (addr incomplete)',
  31: 'Normal, unspecified',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  58: 'Bearer capability not available',
  127: 'Interworking, unspecified',
};

export const causeText = (cause: number) => CAUSE_TEXT[cause] ?? 'Unknown';

export const splitTarget = (uri: string): [string, string] => {
  const i = uri.indexOf(':');
  return [uri.slice(0, i), uri.slice(i + 1)];
};

/** `1795642610.0`: start-of-call epoch seconds and a running counter, as Asterisk's uniqueids. */
export const uniqueId = (n: number) => `${Math.floor(Date.now() / 1000)}.${n}`;
export const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** ast_callerid_parse: `Conference <4711>` → name Conference, number 4711 (d-originate). */
export function parseCallerId(s: string | undefined): CallerId {
  if (!s) return { name: '', number: '' };
  const shrink = (n: string) => (/^\+?[\d()\-. ]+$/.test(n) ? n.replace(/[()\-. ]/g, '') : n);
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(s);
  if (m) return { name: m[1]!.trim(), number: shrink(m[2]!.trim()) };
  if (/^\+?[\d()\-. *#]+$/.test(s.trim())) return { name: '', number: shrink(s.trim()) };
  return { name: s.trim(), number: '' };
}
