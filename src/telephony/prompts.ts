// The prompts callers hear. `conf-*`, `confbridge-*`, `beep` and `vm-goodbye` are Asterisk's core
// sounds (asterisk-core-sounds, played with the `sound:` scheme in the channel's language). The
// `wm-*` ones have no stock equivalent: deploy/asterisk/sounds/build.sh synthesises them in English
// and Italian from the words in prompts.tsv there (add a line per language for a new one). A sound
// Asterisk cannot find ends with PlaybackFinished `failed` (recording c), and the call goes on.
export const PROMPTS = {
  enterPin: 'sound:conf-getpin',
  invalidPin: 'sound:conf-invalidpin',
  onlyPerson: 'sound:conf-onlyperson',
  placedIntoConference: 'sound:conf-placeintoconf',
  joinTone: 'sound:confbridge-join',
  leaveTone: 'sound:confbridge-leave',
  locked: 'sound:conf-locked',
  lockedNow: 'sound:conf-lockednow',
  unlockedNow: 'sound:conf-unlockednow',
  muted: 'sound:conf-muted',
  unmuted: 'sound:conf-unmuted',
  full: 'sound:wm-conference-full',
  tooEarly: 'sound:wm-not-started',
  ended: 'sound:wm-ended',
  cancelled: 'sound:wm-cancelled',
  goodbye: 'sound:vm-goodbye',
} as const;

/** What a refused caller hears before the goodbye. */
export const REFUSAL_PROMPT = {
  unknown: PROMPTS.invalidPin,
  'too-early': PROMPTS.tooEarly,
  ended: PROMPTS.ended,
  cancelled: PROMPTS.cancelled,
  locked: PROMPTS.locked,
  full: PROMPTS.full,
} as const;
