import { describe, expect, it } from 'vitest';
import type { InviteeLinkView } from '../app/invitees.ts';
import { replyPage } from './invitation-pages.ts';

const view = (o: { state?: InviteeLinkView['state']; reply?: 'yes' | 'no' | null; muted?: boolean; timeZone?: string | null; series?: boolean } = {}): InviteeLinkView => ({
  invitee: {
    id: 'i1',
    bookingId: o.series ? null : 'b1',
    seriesId: o.series ? 's1' : null,
    email: 'ada@uni.example',
    locale: 'en',
    timeZone: o.timeZone ?? null,
    cohost: false,
    reply: o.reply ?? null,
    repliedAt: o.reply ? new Date('2026-03-20T09:00:00Z') : null,
    muted: o.muted ?? false,
    replyToken: 'f'.repeat(64),
    createdAt: new Date('2026-03-19T09:00:00Z'),
  },
  meeting: { bookingId: 'b1', seriesId: null, title: '<script>alert(1)</script> & co', roomName: 'Sala "A"', start: new Date('2026-03-29T08:00:00Z'), end: new Date('2026-03-29T09:00:00Z'), timeZone: 'Europe/Rome', bookerName: 'Bruno <Bianchi>', series: o.series ?? false },
  state: o.state ?? 'ahead',
});
const ACTION = `/i/${'f'.repeat(64)}?lang=en`;

describe('an invitee’s page', () => {
  it('escapes what the booker wrote, and says the time in the invitee’s zone across the change to summer time', () => {
    const page = replyPage('en', view({ timeZone: 'America/New_York' }), ACTION);
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(page).toContain('Organised by Bruno &lt;Bianchi&gt;');
    expect(page).toContain('Sala &quot;A&quot;');
    // 10:00 in Rome on the 29th (summer time since that night) is 04:00 in New York (summer time since the 8th).
    expect(page).toContain('Sunday 29 March 2026, 04:00–05:00 (America/New_York)');
    expect(replyPage('it', view(), ACTION)).toContain('domenica 29 marzo 2026, 10:00–11:00 (Europe/Rome)');
  });

  it('shows the answer given as pressed, and the choice about mail the other way round', () => {
    const page = replyPage('en', view({ reply: 'no', muted: true }), ACTION);
    expect(page).toContain('<button type="submit" name="answer" value="no" aria-pressed="true">');
    expect(page).toContain('<button type="submit" name="answer" value="yes" aria-pressed="false">');
    expect(page).toContain('name="mail" value="on"');
    expect(page).toContain('You asked for no more mail about this meeting');
    expect(replyPage('en', view(), ACTION)).toContain('name="mail" value="off"');
  });

  it('puts the choice about mail first for someone who came to stop it, and says a series’ answer is for every date', () => {
    const page = replyPage('en', view({ series: true }), ACTION, { askMailOff: true });
    expect(page.indexOf('name="mail"')).toBeLessThan(page.indexOf('name="answer"'));
    expect(page).toContain('Do you want no more mail about this meeting?');
    expect(page).toContain('your answer is for all its dates');
  });

  it('gives the ways in that the meeting has, as the mails do, and none it has not yet', () => {
    const details = { joinUrl: 'https://meet.example.org/join/b1', guestUrl: 'https://meet.example.org/g/abc"<', guestPin: '4711', dialIn: { numbers: ['+39 06 1234'], pin: '998877' } };
    const page = replyPage('it', view(), ACTION, { details });
    expect(page).toContain('<h2 id="ways-in">Come entrare</h2>');
    expect(page).toContain('<dt>Con l’account del tuo ente</dt><dd><a href="https://meet.example.org/join/b1">');
    expect(page).toContain('<a href="https://meet.example.org/g/abc&quot;&lt;">');
    expect(page).toContain('<dt>PIN per gli ospiti</dt><dd><span class="pin">4711</span>');
    expect(page).toContain('<dt>Per telefono</dt><dd>+39 06 1234</dd><dt>PIN</dt><dd><span class="pin">998877</span>');
    expect(replyPage('en', view(), ACTION, { details: { joinUrl: null, guestUrl: null, dialIn: null } })).not.toContain('ways-in');
  });

  it('offers no answer for a meeting cancelled or over', () => {
    for (const [state, words] of [['cancelled', 'This meeting was cancelled'], ['over', 'This meeting is over']] as const) {
      const page = replyPage('en', view({ state }), ACTION);
      expect(page).toContain(words);
      expect(page).not.toContain('<form');
    }
  });
});
