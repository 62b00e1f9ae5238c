// The parts of ARI's JSON the application reads (Asterisk 22 swagger, api-docs/channels.json,
// bridges.json, playbacks.json, events.json; shapes checked against the recordings in
// shared/reference/asterisk-ari/).

export type AriChannel = {
  id: string;
  name: string;
  /** `Ring` for an inbound call before answer, `Down` for a fresh originate, `Ringing`, `Up`. */
  state: string;
  caller: { name: string; number: string };
  connected?: { name: string; number: string };
  dialplan?: { context: string; exten: string; priority: number; app_name?: string; app_data?: string };
  creationtime: string;
  language?: string;
  /** Only in the answer of POST /channels/externalMedia: UNICASTRTP_LOCAL_ADDRESS and _PORT, where Asterisk takes the RTP. */
  channelvars?: Record<string, string>;
};

export type AriBridge = { id: string; technology: string; bridge_type: string; bridge_class: string; name: string; channels: string[]; creationtime?: string };

export type AriPlayback = { id: string; media_uri: string; target_uri: string; state: 'queued' | 'playing' | 'done' | 'failed' | string };

export type AriApplication = { name: string; channel_ids: string[]; bridge_ids: string[]; endpoint_ids: string[]; device_names: string[] };

/** Every event has `type`, `timestamp`, `application` (events.json, "Event"). */
export type AriEvent = {
  type: string;
  timestamp?: string;
  application?: string;
  channel?: AriChannel;
  bridge?: AriBridge;
  playback?: AriPlayback;
  /** StasisStart: the Stasis() arguments after the application name, or originate's appArgs. */
  args?: string[];
  /** ChannelDtmfReceived. */
  digit?: string;
  /** ChannelDestroyed / ChannelHangupRequest. */
  cause?: number;
  cause_txt?: string;
};
