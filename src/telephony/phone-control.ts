// The host's controls, over ARI REST from whichever instance serves the request.
import type { PhoneControl } from '../app/audio.ts';
import { AppError } from '../domain/errors.ts';
import { isGone, type AriRest } from './ari/client.ts';
import { bridgeIdOf } from './conferences.ts';
import { PROMPTS } from './prompts.ts';

export function ariPhoneControl(rest: AriRest): PhoneControl {
  const attempt = async (op: () => Promise<unknown>) => {
    try {
      await op();
      return true;
    } catch (e) {
      if (isGone(e)) return false;
      throw new AppError('unavailable', 'AUDIO_UNAVAILABLE', 'The telephone system (Asterisk) did not answer; try again in a minute.', { cause: (e as Error).message }, {
        it: 'Il sistema telefonico (Asterisk) non ha risposto; riprova tra un minuto.',
      });
    }
  };
  return {
    mute: (channelId, muted) => attempt(() => rest.mute(channelId, muted)),
    hangup: (channelId) => attempt(() => rest.hangup(channelId)),
    async announceLock(bookingId, locked) {
      await rest.play({ bridge: bridgeIdOf(bookingId) }, [locked ? PROMPTS.lockedNow : PROMPTS.unlockedNow], `wm-note-${bookingId}-${Date.now()}`);
    },
  };
}
