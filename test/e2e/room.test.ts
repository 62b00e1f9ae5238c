// The portal's own meeting room on a real Janus (issue #14): the booker and a guest enter the same
// booking's room through /join and the guest link, each receives the other's audio and video
// (RTCPeerConnection.getStats), the booker's shared screen replaces the camera in what the guest
// receives and gives it back, Janus lists both by name, the host mutes and then removes the
// guest and the guest's page says so; a wrong PIN, a booking not yet open and a cancelled booking
// get their pages and no media session. Janus and Chromium run in a network namespace of the
// test's own; the portal listens on the namespace's veth.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RoomSecrets } from '../../src/providers/janus/secrets.ts';
import { JanusTestClient } from '../doubles/janus.ts';
import { describeWithJanus, startJanus, type JanusServer } from '../support/janus.ts';
import { expectAccessible, newContext, screenshot, signIn } from './support/browser.ts';
import { startBrowserPortal, type BrowserPortal, type Person } from './support/portal.ts';
import { freePortOn, launchInNamespace, peerConnections, received, recordPeerConnections } from './support/room.ts';

type Booking = { id: string; title: string };
const SECRET = 'e2e-room-secret-0123456789abcdef';

describeWithJanus('the meeting room on a real Janus', () => {
  let janus: JanusServer;
  let portal: BrowserPortal;
  let chromium: Awaited<ReturnType<typeof launchInNamespace>>;
  let client: JanusTestClient;
  let maria: Person;
  const contexts: BrowserContext[] = [];
  const secrets = new RoomSecrets(SECRET);

  beforeAll(async () => {
    janus = await startJanus();
    const host = janus.ns.hostAddress;
    const port = await freePortOn(host);
    portal = await startBrowserPortal(
      { PUBLIC_URL: `http://${host}:${port}`, PROVIDER_DEFAULT: 'janus', JANUS_URL: janus.url, JANUS_ADMIN_KEY: janus.adminKey, JANUS_SECRET: SECRET },
      { host, port },
    );
    client = new JanusTestClient(janus.url);
    chromium = await launchInNamespace(janus.ns, portal.baseUrl);
    maria = await portal.member('Maria Rossi');
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await chromium?.close();
    await portal?.close();
    await janus?.stop();
  });

  async function context(): Promise<BrowserContext> {
    const c = await newContext(chromium.browser, portal.baseUrl);
    await recordPeerConnections(c);
    contexts.push(c);
    return c;
  }

  async function book(title: string, startsInMinutes = 0): Promise<Booking> {
    const step = 5 * 60_000;
    const start = Math.ceil((Date.now() + 30_000 + startsInMinutes * 60_000) / step) * step;
    const room = await portal.api<{ id: string }>(portal.admin, 'POST', '/api/v1/rooms', { name: `Aula ${title}`, capacity: 20, provider: null });
    const res = await portal.api<Booking>(maria, 'POST', '/api/v1/bookings', { roomId: room.body.id, start: new Date(start).toISOString(), end: new Date(start + 3_600_000).toISOString(), seats: 5, title });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  const guestUrl = async (b: Booking) => (await portal.api<{ guestUrl: string }>(maria, 'GET', `/api/v1/bookings/${b.id}/room`)).body.guestUrl;

  async function videoroomNames(b: Booking): Promise<string[]> {
    const data = await client.once('janus.plugin.videoroom', { request: 'listparticipants', room: secrets.roomOf(b.id) });
    return ((data.participants ?? []) as { display: string }[]).map((p) => p.display).sort();
  }

  async function audioParticipants(b: Booking): Promise<{ display: string; muted: boolean }[]> {
    const data = await client.once('janus.plugin.audiobridge', { request: 'listparticipants', room: secrets.roomOf(b.id) });
    return (data.participants ?? []) as { display: string; muted: boolean }[];
  }

  async function growing(page: Page, who: string): Promise<void> {
    const first = await received(page);
    await expect.poll(async () => {
      const now = await received(page);
      return now.audioBytes > first.audioBytes && now.videoBytes > first.videoBytes;
    }, { timeout: 15_000, message: `${who} receives the other's audio and video` }).toBe(true);
  }

  it('lets the booker and a guest see and hear each other; the host mutes and then removes the guest', async () => {
    const b = await book('Seminario di dottorato');
    const hostPage = await (await context()).newPage();
    await signIn(hostPage, maria.email, maria.password);
    await hostPage.goto(`/join/${b.id}`);
    await hostPage.waitForURL(new RegExp(`/room/${b.id}#jwt=`));
    await hostPage.getByRole('heading', { name: 'Seminario di dottorato' }).waitFor();

    const guestPage = await (await context()).newPage();
    await guestPage.goto(await guestUrl(b));
    await guestPage.getByLabel(/Your name|Il tuo nome/).fill('Gianni Ospite');
    await guestPage.getByRole('button', { name: /Join|Entra/ }).click();
    await guestPage.waitForURL(new RegExp(`/room/${b.id}#jwt=`));

    const hostList = hostPage.getByRole('complementary', { name: 'Participants' });
    await hostList.getByText('Gianni Ospite').waitFor({ timeout: 20_000 });
    await guestPage.getByRole('complementary', { name: 'Participants' }).getByText('Maria Rossi').waitFor({ timeout: 20_000 });
    await growing(hostPage, 'the booker');
    await growing(guestPage, 'the guest');
    expect(await videoroomNames(b)).toEqual(['Gianni Ospite', 'Maria Rossi']);
    expect((await audioParticipants(b)).map((p) => p.display).sort()).toEqual(['Gianni Ospite', 'Maria Rossi']);

    // Both cameras on the booker's stage.
    await expect.poll(() => hostPage.locator('.room-tile video').count(), { timeout: 15_000 }).toBe(2);
    await hostPage.waitForTimeout(1000);
    await screenshot(hostPage, 'room-two-participants');
    await expectAccessible(hostPage, 'the meeting room (host)');
    // The booker shares the screen: it takes the camera's place in the booker's tile on the guest's
    // stage (the fake camera is at most 640 wide, the fake screen as wide as the window), and
    // stopping gives the camera back.
    const marias = guestPage.locator('.room-tile').filter({ hasText: 'Maria Rossi' }).locator('video');
    const width = () => marias.evaluate((v) => (v as HTMLVideoElement).videoWidth);
    await expect.poll(width, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await width()).toBeLessThanOrEqual(640);
    await hostPage.getByRole('button', { name: 'Share screen' }).click();
    await hostPage.getByRole('button', { name: 'Stop sharing' }).waitFor();
    await expect.poll(width, { timeout: 20_000, message: 'the guest sees the shared screen' }).toBeGreaterThan(640);
    await hostPage.getByRole('button', { name: 'Stop sharing' }).click();
    await hostPage.getByRole('button', { name: 'Share screen' }).waitFor();
    await expect.poll(width, { timeout: 20_000, message: 'the camera comes back' }).toBeLessThanOrEqual(640);
    // The guest has no host controls.
    expect(await guestPage.getByRole('button', { name: /^Remove / }).count()).toBe(0);
    // A raised hand shows in the host's list, and goes down again.
    await guestPage.getByRole('button', { name: 'Raise hand' }).click();
    await hostList.getByRole('listitem').filter({ hasText: 'Gianni Ospite' }).getByText('hand raised').waitFor();
    await guestPage.getByRole('button', { name: 'Lower hand' }).click();
    await hostList.getByText('hand raised').waitFor({ state: 'detached' });

    await hostList.getByRole('button', { name: 'Mute Gianni Ospite' }).click();
    await guestPage.getByText('The host muted your microphone').waitFor();
    expect((await audioParticipants(b)).find((p) => p.display === 'Gianni Ospite')?.muted).toBe(true);
    await guestPage.getByRole('button', { name: 'Unmute' }).waitFor();

    await hostList.getByRole('button', { name: 'Remove Gianni Ospite from the meeting' }).click();
    await guestPage.getByRole('heading', { name: 'You were removed from the meeting' }).waitFor();
    await hostList.getByText('Gianni Ospite').waitFor({ state: 'detached' });
    await expect.poll(() => videoroomNames(b)).toEqual(['Maria Rossi']);
    // Reloading does not bring the guest back: the page dropped the ticket.
    expect(new URL(guestPage.url()).hash).toBe('');

    await hostPage.getByRole('button', { name: 'Leave' }).click();
    await hostPage.getByRole('heading', { name: 'You left the meeting' }).waitFor();
    await expect.poll(() => videoroomNames(b)).toEqual([]);
  }, 180_000); // two browsers with media and a real Janus, on a machine that may be busy

  it('keeps a guest of a lobby booking at the door until the host lets them in, on a phone screen', async () => {
    const b = await book('Colloquio');
    expect((await portal.api(maria, 'PUT', `/api/v1/bookings/${b.id}/guest-policy`, { policy: 'lobby' })).status).toBe(200);
    const hostPage = await (await context()).newPage();
    await signIn(hostPage, maria.email, maria.password);
    await hostPage.goto(`/join/${b.id}`);
    await hostPage.getByRole('heading', { name: 'Colloquio' }).waitFor();

    const phone = await newContext(chromium.browser, portal.baseUrl, { viewport: { width: 390, height: 844 }, locale: 'it-IT' });
    await recordPeerConnections(phone);
    contexts.push(phone);
    const guestPage = await phone.newPage();
    await guestPage.goto(await guestUrl(b));
    await guestPage.getByLabel(/Il tuo nome/).fill('Lucia Ospite');
    await guestPage.getByRole('button', { name: /Entra/ }).click();
    await guestPage.getByText('Chi modera ti farà entrare a breve').waitFor();
    expect(await peerConnections(guestPage)).toBe(0);

    const door = hostPage.getByRole('region', { name: 'Waiting to enter' });
    await door.getByRole('button', { name: 'Let Lucia Ospite in', exact: true }).click({ timeout: 15_000 });
    await guestPage.getByRole('complementary', { name: 'Partecipanti' }).getByText('Maria Rossi').waitFor({ timeout: 20_000 });
    await hostPage.getByRole('complementary', { name: 'Participants' }).getByText('Lucia Ospite').waitFor({ timeout: 20_000 });
    // On a phone the stage comes first, the controls under it, the participants last; nothing wider than the screen.
    const [stage, controls, people] = await Promise.all(['.room-stage', '.room-controls', '.room-people'].map((sel) => guestPage.locator(sel).boundingBox()));
    expect(stage!.y + stage!.height).toBeLessThanOrEqual(controls!.y);
    expect(controls!.y + controls!.height).toBeLessThanOrEqual(people!.y);
    expect(await guestPage.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expect.poll(() => guestPage.locator('.room-tile video').count(), { timeout: 15_000 }).toBe(2);
    await screenshot(guestPage, 'room-phone-guest');
    await expectAccessible(guestPage, 'the meeting room on a phone (guest, Italian)');
    await guestPage.getByRole('button', { name: 'Esci' }).click();
    await hostPage.getByRole('button', { name: 'Leave' }).click();
    await expect.poll(() => videoroomNames(b)).toEqual([]);
  }, 180_000); // two browsers with media and a real Janus, on a machine that may be busy

  it('gives a wrong PIN, a booking not yet open and a cancelled booking their pages and no media session', async () => {
    const page = await (await context()).newPage();
    const pcs = () => peerConnections(page);

    const withPin = await book('Esame con PIN');
    expect((await portal.api(maria, 'PUT', `/api/v1/bookings/${withPin.id}/guest-policy`, { policy: 'pin', pin: '4321' })).status).toBe(200);
    await page.goto(await guestUrl(withPin));
    await page.getByLabel(/Your name|Il tuo nome/).fill('Intruso');
    await page.getByLabel(/Meeting PIN|PIN della riunione/).fill('9999');
    await page.getByRole('button', { name: /Join|Entra/ }).click();
    await page.getByText(/The PIN is not right|Il PIN non è corretto/).waitFor();
    expect(page.url()).not.toContain('/room/');
    expect(await pcs()).toBe(0);

    const later = await book('Riunione di domani', 24 * 60);
    await page.goto(await guestUrl(later));
    await page.getByRole('heading', { name: /The room is not open yet|La stanza non è ancora aperta/ }).waitFor();
    expect(await pcs()).toBe(0);

    // A ticket handed out while the booking was on stops working once it is cancelled.
    const cancelled = await book('Riunione annullata');
    const host = await (await context()).newPage();
    await signIn(host, maria.email, maria.password);
    const go = await fetch(`${portal.baseUrl}/join/${cancelled.id}`, { redirect: 'manual', headers: { authorization: `Bearer ${maria.token}` } });
    const roomUrl = go.headers.get('location')!;
    expect(roomUrl).toMatch(new RegExp(`/room/${cancelled.id}#jwt=`));
    expect((await portal.api(maria, 'DELETE', `/api/v1/bookings/${cancelled.id}`)).status).toBeLessThan(300);
    await page.goto(await guestUrl(cancelled));
    await page.getByRole('heading', { name: /Meeting cancelled|Riunione annullata/ }).waitFor();
    await page.goto(roomUrl);
    await page.getByRole('heading', { name: 'Meeting cancelled' }).waitFor();
    expect(await pcs()).toBe(0);
    expect(await videoroomNames(cancelled).catch(() => [])).toEqual([]);
  });
});
