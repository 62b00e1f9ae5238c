// An invitee's own link in their mails (/i/<secret>): whether they will come, and whether they want
// mail about the meeting (also by RFC 8058's one-click unsubscribe). Mail over a real SMTP
// conversation (smtp-peer.ts), pages and forms over real HTTP, at a fixed clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type Caller, type TestPortal } from '../support/portal.ts';
import { SmtpPeer, type Received } from './smtp-peer.ts';

let t: TestPortal;
let smtp: SmtpPeer;
let bruno: Caller;
let brunoEmail: string;
let room: string;
const NOW = '2026-03-20T09:00:00Z';

beforeAll(async () => {
  smtp = new SmtpPeer();
  await smtp.start();
  t = await startTestPortal({
    now: NOW,
    env: { SMTP_URL: smtp.url, MAIL_FROM: 'WebMeetings <noreply@meet.example.org>', MAIL_RETRY_DELAY_SECONDS: '1', PUBLIC_URL: 'https://meet.example.org' },
  });
  const uni = await t.institution({ name: 'Università di Bologna' });
  bruno = await t.user('member', uni.id, 'Bruno Bianchi');
  brunoEmail = (await t.portal.services.uow.repos.users.findById(bruno.userId))!.email;
  room = t.rooms.find((r) => r.capacity === 50)!.id;
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

const subjectIs = (to: string, prefix: string) => (m: Received) => m.to.includes(to) && (m.parsed.subject ?? '').startsWith(prefix);
const book = (body: Record<string, unknown>) => t.api('POST', '/api/v1/bookings', { as: bruno, body: { title: 'Seminar', seats: 10, roomId: room, ...body } });
const invite = async (path: string, email: string, locale: 'it' | 'en') => {
  const res = await t.api('POST', `${path}/invitees`, { as: bruno, body: { email, locale } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};
/** The invitee's link, as their mail gives it. */
const LINK = /https:\/\/meet\.example\.org(\/i\/[0-9a-f]{64})\b/;
const linkIn = (m: Received) => {
  const found = LINK.exec(m.parsed.text ?? '');
  expect(found, `a reply link in: ${m.parsed.text}`).not.toBeNull();
  return found![1]!;
};
const header = (m: Received, name: string) => {
  const line = m.raw.split(/\r\n(?![ \t])/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).replace(/\r\n[ \t]+/g, ' ').trim();
};
const page = (path: string, init: RequestInit = {}) => fetch(t.baseUrl + path, { redirect: 'manual', ...init });
const post = (path: string, fields: Record<string, string>) =>
  page(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
const listOf = async (path: string) => (await t.api('GET', `${path}/invitees`, { as: bruno })).body.items as Array<{ email: string; reply: string | null; repliedAt: string | null; muted: boolean }>;
const settle = () => new Promise((r) => setTimeout(r, 1500));

describe('an invitee’s answer', () => {
  it('asks from a link of their own whether they will come, changes nothing on a GET, and shows the booker the answers', async () => {
    const res = await book({ title: 'Tesi di laurea', start: '2026-04-02T10:00', end: '2026-04-02T11:00' });
    const path = `/api/v1/bookings/${res.body.id}`;
    await invite(path, 'ada@uni.example', 'en');
    await invite(path, 'carla@uni.example', 'it');
    const ada = await smtp.waitFor(subjectIs('ada@uni.example', 'Invitation: Tesi di laurea'));
    const carla = await smtp.waitFor(subjectIs('carla@uni.example', 'Invito: Tesi di laurea'));
    const adaLink = linkIn(ada);
    const carlaLink = linkIn(carla);
    expect(adaLink).not.toBe(carlaLink);
    expect(ada.parsed.text).toContain(`Will you come? Answer here (or ask for no more mail about this meeting): https://meet.example.org${adaLink}\n`);
    expect(ada.parsed.html).toContain(`<a href="https://meet.example.org${adaLink}">`);
    expect(carla.parsed.text).toContain(`Parteciperai? Rispondi qui (o chiedi di non ricevere più email su questa riunione): https://meet.example.org${carlaLink}\n`);
    // Where to stop the mails, and that one POST does it (RFC 2369, 3.2; RFC 8058, 3.1).
    expect(header(ada, 'List-Unsubscribe')).toBe(`<https://meet.example.org${adaLink}/mail-off>`);
    expect(header(ada, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    // The booker's own copy has neither: it is not theirs to answer.
    const own = await smtp.waitFor(subjectIs(brunoEmail, 'Invito: Tesi di laurea'));
    expect(own.parsed.text).not.toMatch(LINK);
    expect(header(own, 'List-Unsubscribe')).toBeUndefined();
    // The list the booker reads never shows an invitee's secret.
    expect(JSON.stringify((await t.api('GET', `${path}/invitees`, { as: bruno })).body)).not.toContain(adaLink.slice(3));

    // Opening the link (a mail scanner does too) changes nothing; the page is in the invitee's language.
    for (const p of [adaLink, `${adaLink}/mail-off`]) {
      const opened = await page(p);
      expect(opened.status).toBe(200);
      expect(opened.headers.get('cache-control')).toBe('no-store');
      expect(opened.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const html = await (await page(adaLink)).text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Tesi di laurea');
    expect(html).toContain('Organised by Bruno Bianchi');
    expect(html).toContain('Thursday 2 April 2026, 10:00–11:00 (Europe/Rome)');
    expect(html).toContain('You have not answered yet.');
    // The ways in, as the mail gives them: a lost mail is no lost meeting.
    const guestUrl = /https:\/\/meet\.example\.org\/g\/[A-Za-z0-9_-]+/.exec(ada.parsed.text ?? '')![0];
    expect(html).toContain('<h2 id="ways-in">How to join</h2>');
    expect(html).toContain(`<dt>With your institution’s account</dt><dd><a href="https://meet.example.org/join/${res.body.id}">`);
    expect(html).toContain(`<dt>As a guest (no account needed)</dt><dd><a href="${guestUrl}">`);
    expect(await (await page(`${adaLink}?lang=it`)).text()).toContain('Parteciperai?');
    expect((await listOf(path)).map((i) => [i.email, i.reply, i.muted])).toEqual([
      ['ada@uni.example', null, false],
      ['carla@uni.example', null, false],
    ]);

    // An answer: the page again (Post/Redirect/Get), thanking; the booker sees it, with its time.
    const yes = await post(adaLink, { answer: 'yes' });
    expect(yes.status).toBe(303);
    expect(yes.headers.get('location')).toBe(`${adaLink}?lang=en&done=yes`);
    const thanked = await (await page(yes.headers.get('location')!)).text();
    expect(thanked).toContain('Thank you: Bruno Bianchi sees that you will come.');
    expect(thanked).toContain('You answered that you will come.');
    expect(thanked).toMatch(/<button type="submit" name="answer" value="yes" aria-pressed="true">/);
    expect((await post(carlaLink, { answer: 'no' })).status).toBe(303);
    expect(await (await page(`${carlaLink}?done=no`)).text()).toContain('Grazie: Bruno Bianchi vede che non potrai esserci.');
    const list = await listOf(path);
    expect(list.map((i) => [i.email, i.reply, i.repliedAt])).toEqual([
      ['ada@uni.example', 'yes', NOW.replace('Z', '.000Z')],
      ['carla@uni.example', 'no', NOW.replace('Z', '.000Z')],
    ]);
    // Something that is no answer is refused, and nothing changes.
    const refused = await post(adaLink, { answer: 'maybe' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Choose one of the two answers.');
    expect((await listOf(path))[0]!.reply).toBe('yes');
    // Answering again replaces the answer.
    expect((await post(adaLink, { answer: 'no' })).status).toBe(303);
    expect((await listOf(path))[0]!.reply).toBe('no');
  });

  it('reminds nobody who said they cannot come; those who will come and those who did not answer are', async () => {
    const res = await book({ title: 'Reminded or not', start: '2026-04-03T10:00', end: '2026-04-03T11:00' });
    const path = `/api/v1/bookings/${res.body.id}`;
    for (const [email] of [['coming@uni.example'], ['away@uni.example'], ['silent@uni.example']]) await invite(path, email!, 'en');
    const away = linkIn(await smtp.waitFor(subjectIs('away@uni.example', 'Invitation: Reminded or not')));
    const coming = linkIn(await smtp.waitFor(subjectIs('coming@uni.example', 'Invitation: Reminded or not')));
    await post(away, { answer: 'no' });
    await post(coming, { answer: 'yes' });
    try {
      t.clock.set(new Date(new Date(res.body.start).getTime() - 10 * 60_000).toISOString());
      expect(await t.portal.notify.sweepReminders()).toBe(1);
      for (const to of ['coming@uni.example', 'silent@uni.example']) {
        const reminder = await smtp.waitFor(subjectIs(to, 'Reminder: Reminded or not'));
        // The reminder asks too, and can be stopped in one click.
        expect(reminder.parsed.text).toMatch(LINK);
        expect(header(reminder, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      }
      await smtp.waitFor(subjectIs(brunoEmail, 'Promemoria: Reminded or not'));
      await settle();
      expect(smtp.inbox.filter(subjectIs('away@uni.example', 'Reminder: Reminded or not'))).toEqual([]);
    } finally {
      t.clock.set(NOW);
    }
  });
});

describe('an invitee’s choice about mail', () => {
  it('stops the mails by one click (RFC 8058) or from the page, leaves them out of changes and of the invitation sent again, and sends them again when asked', async () => {
    const res = await book({ title: 'Quiet please', start: '2026-04-06T10:00', end: '2026-04-06T11:00' });
    const path = `/api/v1/bookings/${res.body.id}`;
    await invite(path, 'oneclick@uni.example', 'en');
    await invite(path, 'multipart@uni.example', 'en');
    await invite(path, 'bypage@uni.example', 'it');
    await invite(path, 'stays@uni.example', 'en');
    const oneClick = linkIn(await smtp.waitFor(subjectIs('oneclick@uni.example', 'Invitation: Quiet please')));
    const multipart = linkIn(await smtp.waitFor(subjectIs('multipart@uni.example', 'Invitation: Quiet please')));
    const byPage = linkIn(await smtp.waitFor(subjectIs('bypage@uni.example', 'Invito: Quiet please')));
    await smtp.waitFor(subjectIs('stays@uni.example', 'Invitation: Quiet please'));

    // A mail client's one-click POST, as a form (RFC 8058, 3.2) and as multipart/form-data: a 200, no redirect.
    const clicked = await post(`${oneClick}/mail-off`, { 'List-Unsubscribe': 'One-Click' });
    expect(clicked.status).toBe(200);
    expect(await clicked.text()).toContain('Done: you will get no more mail about this meeting.');
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    expect((await page(`${multipart}/mail-off`, { method: 'POST', body: form })).status).toBe(200);
    // From the page: the Italian invitee presses the button.
    const stopped = await post(byPage, { mail: 'off' });
    expect(stopped.status).toBe(303);
    const after = await (await page(stopped.headers.get('location')!)).text();
    expect(after).toContain('Fatto: non riceverai più email su questa riunione.');
    expect(after).toContain('Inviami di nuovo le email su questa riunione');
    expect((await listOf(path)).filter((i) => i.muted).map((i) => i.email)).toEqual(['oneclick@uni.example', 'multipart@uni.example', 'bypage@uni.example']);

    // A change reaches the booker and the one who still reads; nobody who asked for quiet.
    expect((await t.api('PATCH', path, { as: bruno, body: { title: 'Quiet please (moved)', start: '2026-04-06T11:00', end: '2026-04-06T12:00' } })).status).toBe(200);
    await smtp.waitFor(subjectIs('stays@uni.example', 'Updated: Quiet please (moved)'));
    await smtp.waitFor(subjectIs(brunoEmail, 'Aggiornamento: Quiet please (moved)'));
    // Sent again: to those who read, and it says how many.
    expect((await t.api('POST', `${path}/invitees/resend`, { as: bruno, body: {} })).body).toEqual({ sent: 1 });
    await smtp.waitFor(subjectIs('stays@uni.example', 'Invitation sent again: Quiet please (moved)'));
    // Taken off the list: no cancellation to someone who asked for no mail.
    const gone = (await t.api('GET', `${path}/invitees`, { as: bruno })).body.items.find((i: { email: string }) => i.email === 'multipart@uni.example').id as string;
    expect((await t.api('DELETE', `${path}/invitees/${gone}`, { as: bruno })).status).toBe(204);
    await settle();
    for (const quiet of ['oneclick@uni.example', 'multipart@uni.example', 'bypage@uni.example']) {
      expect(smtp.inbox.filter((m) => m.to.includes(quiet)).map((m) => m.parsed.subject)).toEqual([expect.stringMatching(/^Invit(o|ation): Quiet please$/)]);
    }
    // Their link now leads nowhere, and says so.
    const nowhere = await page(multipart);
    expect(nowhere.status).toBe(404);
    // In the language the browser asks for: whose link it was is no longer known.
    expect(await nowhere.text()).toContain('Questo link non porta più a un invito');
    expect(await (await page(multipart, { headers: { 'accept-language': 'en-GB,en;q=0.8' } })).text()).toContain('This link no longer leads to an invitation');

    // Mail again, when asked: the next change reaches them.
    expect((await post(oneClick, { mail: 'on' })).status).toBe(303);
    expect((await listOf(path)).find((i) => i.email === 'oneclick@uni.example')!.muted).toBe(false);
    expect((await t.api('PATCH', path, { as: bruno, body: { title: 'Quiet please (final)' } })).status).toBe(200);
    await smtp.waitFor(subjectIs('oneclick@uni.example', 'Updated: Quiet please (final)'));
    await settle();
    expect(smtp.inbox.filter(subjectIs('bypage@uni.example', 'Aggiornamento: Quiet please (final)'))).toEqual([]);
  });
});

describe('links that have nothing to answer', () => {
  it('a cancelled or ended meeting says so and takes no answer; mail can still be stopped; a made-up link leads nowhere', async () => {
    const res = await book({ title: 'Called off', start: '2026-04-07T10:00', end: '2026-04-07T11:00' });
    const path = `/api/v1/bookings/${res.body.id}`;
    await invite(path, 'late@uni.example', 'en');
    const link = linkIn(await smtp.waitFor(subjectIs('late@uni.example', 'Invitation: Called off')));
    expect((await t.api('DELETE', path, { as: bruno })).status).toBe(200);
    const cancellation = await smtp.waitFor(subjectIs('late@uni.example', 'Cancelled: Called off'));
    // A cancellation asks nothing more.
    expect(cancellation.parsed.text).not.toMatch(LINK);
    expect(header(cancellation, 'List-Unsubscribe')).toBeUndefined();
    const shown = await (await page(link)).text();
    expect(shown).toContain('This meeting was cancelled: there is nothing to answer.');
    expect(shown).not.toContain('How to join');
    expect(shown).not.toContain('name="answer"');
    const refused = await post(link, { answer: 'yes' });
    expect(refused.status).toBe(422);
    expect((await listOf(path))[0]!.reply).toBeNull();
    expect((await post(`${link}/mail-off`, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);

    // An ended one: over at the fixed clock's later hour.
    const past = await book({ title: 'Done already', start: '2026-03-20T10:00', end: '2026-03-20T11:00' });
    await invite(`/api/v1/bookings/${past.body.id}`, 'after@uni.example', 'it');
    const pastLink = linkIn(await smtp.waitFor(subjectIs('after@uni.example', 'Invito: Done already')));
    try {
      t.clock.set('2026-03-20T11:30:00Z');
      expect(await (await page(pastLink)).text()).toContain('Questa riunione è terminata: non c’è nulla a cui rispondere.');
      expect((await post(pastLink, { answer: 'no' })).status).toBe(422);
    } finally {
      t.clock.set(NOW);
    }

    // Made up, or not even the shape of a link: the same page, and no look-up for the second.
    for (const made of [`/i/${'0'.repeat(64)}`, '/i/short', `/i/${'a'.repeat(64)}/mail-off`]) {
      const res404 = await page(made);
      expect(res404.status, made).toBe(404);
    }
    expect((await post(`/i/${'0'.repeat(64)}`, { answer: 'yes' })).status).toBe(404);
    expect((await post(`/i/${'0'.repeat(64)}/mail-off`, { 'List-Unsubscribe': 'One-Click' })).status).toBe(404);
  });
});

describe('a series', () => {
  it('takes one answer for all its dates, shows the next date, and keeps a stopped mail stopped when the series is split', async () => {
    const s = await t.api('POST', '/api/v1/series', { as: bruno, body: { title: 'Weekly lab', seats: 10, roomId: room, start: '2026-03-23T09:00', end: '2026-03-23T10:00', rrule: 'FREQ=WEEKLY;COUNT=6' } });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const seriesId = s.body.series.id as string;
    const path = `/api/v1/series/${seriesId}`;
    await invite(path, 'student@uni.example', 'en');
    await invite(path, 'quiet@uni.example', 'en');
    const student = linkIn(await smtp.waitFor(subjectIs('student@uni.example', 'Invitation: Weekly lab')));
    const quiet = linkIn(await smtp.waitFor(subjectIs('quiet@uni.example', 'Invitation: Weekly lab')));
    try {
      // After the first date, the page shows the second.
      t.clock.set('2026-03-24T09:00:00Z');
      const shown = await (await page(student)).text();
      expect(shown).toContain('This is a series of meetings: your answer is for all its dates.');
      expect(shown).toContain('Monday 30 March 2026, 09:00–10:00 (Europe/Rome)');
      expect((await post(student, { answer: 'yes' })).status).toBe(303);
      expect((await post(`${quiet}/mail-off`, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);
      expect((await listOf(path)).map((i) => [i.email, i.reply, i.muted])).toEqual([
        ['student@uni.example', 'yes', false],
        ['quiet@uni.example', null, true],
      ]);
      // Invited to the next date on its own as well, the student cannot come to that one: that
      // invitation decides its reminder (the series' "yes" does not bring it back).
      const second = (s.body.booked as Array<{ id: string }>)[1]!.id;
      await invite(`/api/v1/bookings/${second}`, 'student@uni.example', 'en');
      const ownDate = await smtp.waitFor((m) => m.to.includes('student@uni.example') && m.parsed.subject === 'Invitation: Weekly lab' && !(m.parsed.text ?? '').includes(student));
      expect((await post(linkIn(ownDate), { answer: 'no' })).status).toBe(303);
      t.clock.set('2026-03-30T06:50:00Z'); // 08:50 in Rome (summer time since the 29th): ten minutes before
      expect(await t.portal.notify.sweepReminders()).toBeGreaterThanOrEqual(1);
      await smtp.waitFor(subjectIs(brunoEmail, 'Promemoria: Weekly lab'));
      await settle();
      expect(smtp.inbox.filter((m) => (m.to.includes('student@uni.example') || m.to.includes('quiet@uni.example')) && (m.parsed.subject ?? '').startsWith('Reminder'))).toEqual([]);
      t.clock.set('2026-03-24T09:00:00Z');

      // This and the following dates move: the second part is a new series, with the same people.
      const third = s.body.booked[2] as { id: string };
      const split = await t.api('PATCH', `${path}/occurrences/${third.id}`, { as: bruno, body: { scope: 'following', startTime: '14:00' } });
      expect(split.status, JSON.stringify(split.body)).toBe(200);
      const tailId = split.body.series.id as string;
      expect(tailId).not.toBe(seriesId);
      expect((await listOf(`/api/v1/series/${tailId}`)).map((i) => [i.email, i.reply, i.muted])).toEqual([
        ['quiet@uni.example', null, true],
        ['student@uni.example', null, false],
      ]);
      // The new part's invitation asks the student again; the quiet one gets nothing.
      const again = await smtp.waitFor((m) => m.to.includes('student@uni.example') && (m.parsed.subject ?? '') === 'Invitation: Weekly lab' && !(m.parsed.text ?? '').includes(student));
      expect(linkIn(again)).not.toBe(student);
      await settle();
      expect(smtp.inbox.filter((m) => m.to.includes('quiet@uni.example')).map((m) => m.parsed.subject)).toEqual(['Invitation: Weekly lab']);
    } finally {
      t.clock.set(NOW);
    }
  });
});
