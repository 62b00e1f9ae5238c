// Language and addresses in daily use (issue #12): messages people read come in their language
// (the saved one, else Accept-Language) with a stable code; /readyz and the log say when the portal
// is reached at another address than PUBLIC_URL, which guest links and mails are built from.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPortal, type TestPortal } from '../support/portal.ts';

/** A GET with a Host header of our choosing (fetch does not let one set it). */
function getWithHost(base: string, path: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { headers: { host, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('messages in the person’s language', () => {
  let t: TestPortal;
  beforeAll(async () => {
    // Two free failures, then a wait (as in test/identity/local-accounts.test.ts).
    t = await startTestPortal({ env: { LOGIN_FREE_FAILURES: '2', LOGIN_DELAY_BASE_SECONDS: '10', TRUST_PROXY: 'true' } });
  });
  afterAll(async () => t?.close());

  async function signIn(email: string, password: string, lang: string) {
    const res = await fetch(`${t.baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': lang, 'x-forwarded-for': '198.51.100.7' },
      body: JSON.stringify({ email, password }),
    });
    return { status: res.status, body: (await res.json()) as { code: string; detail: string; lang?: string } };
  }

  it('says the sign-in wait in Italian to an Italian browser, in English to an English one, with the same code', async () => {
    const created = await t.api('POST', '/api/v1/users', { as: t.admin, body: { name: 'Lucia Neri', email: 'lucia@example.org', password: 'Lucia-pass-12345', role: 'member' } });
    expect(created.status).toBe(201);
    for (let i = 0; i < 2; i++) expect((await signIn('lucia@example.org', 'wrong-guess', 'it-IT,it;q=0.9')).status).toBe(401);
    const it = await signIn('lucia@example.org', 'Lucia-pass-12345', 'it-IT,it;q=0.9,en;q=0.8');
    expect(it.status).toBe(429);
    expect(it.body.code).toBe('TOO_MANY_SIGN_IN_ATTEMPTS');
    expect(it.body.detail).toMatch(/^Troppi accessi non riusciti\. Attendi \d+ secondi e riprova\.$/);
    expect(it.body.lang).toBe('it');
    const en = await signIn('lucia@example.org', 'Lucia-pass-12345', 'en-GB,en;q=0.9');
    expect(en.body.code).toBe('TOO_MANY_SIGN_IN_ATTEMPTS');
    expect(en.body.detail).toMatch(/^Too many failed sign-ins\./);
  });

  it('answers in the saved language of the person signed in, before Accept-Language; ?lang= still wins', async () => {
    const italian = await t.portal.services.uow.repos.users.create({ email: 'giulio@example.org', name: 'Giulio Bianchi', role: 'admin', institutionId: null, passwordHash: null, locale: 'it' });
    const token = (await t.portal.services.accounts.createToken({ actor: { userId: italian.id, role: 'admin', institutionId: null } }, 'test')).token;
    const as = { token, userId: italian.id, institutionId: null };
    const self = await t.api('PATCH', `/api/v1/users/${italian.id}`, { as, body: { disabled: true }, headers: { 'accept-language': 'en-GB' } });
    expect(self.status).toBe(409);
    expect(self.body.code).toBe('CANNOT_DISABLE_SELF');
    expect(self.body.detail).toBe('Non puoi disattivare il tuo account; chiedi a un altro amministratore.');
    const asked = await t.api('PATCH', `/api/v1/users/${italian.id}?lang=en`, { as, body: { disabled: true } });
    expect(asked.body.detail).toBe('You cannot disable your own account; ask another administrator.');
    // Without a saved language the browser's decides.
    const english = await t.api('PATCH', `/api/v1/users/${t.admin.userId}`, { as: t.admin, body: { disabled: true }, headers: { 'accept-language': 'it' } });
    expect(english.body.detail).toBe('Non puoi disattivare il tuo account; chiedi a un altro amministratore.');
  });

  it('refuses at the door in the person’s language too: no sign-in, an unknown token, a role, the CSRF token', async () => {
    const it = { 'accept-language': 'it-IT,it;q=0.9' };
    const anonymous = await t.api('GET', '/api/v1/me', { headers: it });
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED', lang: 'it' } });
    expect(anonymous.body.detail).toMatch(/^Accedi prima, oppure invia un token API personale/);
    expect(anonymous.body.requestId).toEqual(expect.any(String));
    const unknown = await t.api('GET', '/api/v1/me', { headers: { ...it, authorization: 'Bearer wmt_not-a-token' } });
    expect(unknown).toMatchObject({ status: 401, body: { code: 'INVALID_TOKEN', detail: 'Il token API non è noto o è stato revocato.' } });
    // A member whose saved language is Italian, on an English browser.
    const member = await t.portal.services.uow.repos.users.create({ email: 'piero@example.org', name: 'Piero Galli', role: 'member', institutionId: null, passwordHash: null, locale: 'it' });
    const token = (await t.portal.services.accounts.createToken({ actor: { userId: member.id, role: 'member', institutionId: null } }, 'test')).token;
    const denied = await t.api('GET', '/api/v1/audit', { as: { token, userId: member.id, institutionId: null }, headers: { 'accept-language': 'en-GB' } });
    expect(denied).toMatchObject({ status: 403, body: { code: 'ROLE_REQUIRED', roles: ['admin'], detail: 'Solo gli account amministratore possono farlo.' } });
    const english = await t.api('GET', '/api/v1/audit?lang=en', { as: { token, userId: member.id, institutionId: null } });
    expect(english.body.detail).toBe('Only administrator accounts may do this.');
    // A session without its CSRF token.
    await t.api('POST', '/api/v1/users', { as: t.admin, body: { name: 'Sara Conti', email: 'sara@example.org', password: 'Sara-pass-123456', role: 'member' } });
    const session = await fetch(`${t.baseUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.9' }, body: JSON.stringify({ email: 'sara@example.org', password: 'Sara-pass-123456' }) });
    expect(session.status).toBe(200);
    const cookie = session.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const noCsrf = await t.api('PATCH', '/api/v1/me', { headers: { ...it, cookie }, body: { name: 'Sara' } });
    expect(noCsrf).toMatchObject({ status: 403, body: { code: 'CSRF_TOKEN_INVALID', lang: 'it' } });
    expect(noCsrf.body.detail).toMatch(/^Invia l’intestazione X-CSRF-Token/);
  });

  it('saves a person’s own language (PATCH /me) and answers in it from the next request on', async () => {
    const person = await t.portal.services.uow.repos.users.create({ email: 'marta@example.org', name: 'Marta Riva', role: 'admin', institutionId: null, passwordHash: null, locale: null });
    const token = (await t.portal.services.accounts.createToken({ actor: { userId: person.id, role: 'admin', institutionId: null } }, 'test')).token;
    const as = { token, userId: person.id, institutionId: null };
    const refusal = async () => (await t.api('PATCH', `/api/v1/users/${person.id}`, { as, body: { disabled: true }, headers: { 'accept-language': 'en-GB' } })).body.detail;
    expect(await refusal()).toBe('You cannot disable your own account; ask another administrator.');
    const saved = await t.api('PATCH', '/api/v1/me', { as, body: { locale: 'it' } });
    expect(saved.status).toBe(200);
    expect(saved.body.locale).toBe('it');
    // The token's cached actor is dropped with the change, so the very next answer is Italian.
    expect(await refusal()).toBe('Non puoi disattivare il tuo account; chiedi a un altro amministratore.');
    expect((await t.api('GET', '/api/v1/me', { as })).body.locale).toBe('it');
    expect((await t.api('PATCH', '/api/v1/me', { as, body: { locale: null } })).body.locale).toBeNull();
    expect(await refusal()).toBe('You cannot disable your own account; ask another administrator.');
    const bad = await t.api('PATCH', '/api/v1/me', { as, body: { locale: 'fr' } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect((await t.api('PATCH', '/api/v1/me', { body: { locale: 'it' } })).status).toBe(401);
  });

  it('refuses a booking in Italian to an Italian browser: a taken room, too long, too many seats, a booking that does not exist', async () => {
    const it = { 'accept-language': 'it-IT,it;q=0.9' };
    const uni = await t.institution({ name: 'Università di Pavia' });
    const [anna, bruno] = [await t.user('member', uni.id, 'Anna Rota'), await t.user('member', uni.id, 'Bruno Sala')];
    const room = t.rooms.find((r) => r.capacity === 50)!;
    const book = (as: typeof anna, body: Record<string, unknown>, headers: Record<string, string> = it) =>
      t.api('POST', '/api/v1/bookings', { as, body: { title: 'Seminario', roomId: room.id, seats: 20, ...body }, headers });
    expect((await book(anna, { start: '2026-03-24T10:00', end: '2026-03-24T11:00' })).status).toBe(201);

    const taken = await book(bruno, { start: '2026-03-24T10:30', end: '2026-03-24T11:30' });
    expect(taken).toMatchObject({ status: 409, body: { code: 'ROOM_TAKEN', lang: 'it' } });
    expect(taken.body.detail).toBe(
      `${room.name} è già prenotata in quell’orario, o troppo vicina a un’altra riunione (tra due riunioni resta sempre un intervallo libero). Scegli uno degli orari liberi suggeriti o un altro orario.`,
    );
    // The same refusal to a browser without Italian stays English, the API's language.
    const english = await book(bruno, { start: '2026-03-24T10:30', end: '2026-03-24T11:30' }, {});
    expect(english.body.code).toBe('ROOM_TAKEN');
    expect(english.body.detail).toContain(`${room.name} is already booked at that time`);
    expect(english.body.lang).toBeUndefined();

    const long = await book(anna, { start: '2026-03-25T08:00', end: '2026-03-25T21:00' });
    expect(long).toMatchObject({ status: 422, body: { code: 'DURATION_TOO_LONG', detail: 'Una prenotazione dura al massimo 12 h; questa dura 13 h.' } });

    const crowded = await book(anna, { start: '2026-03-25T10:00', end: '2026-03-25T11:00', seats: 60 });
    expect(crowded).toMatchObject({ status: 422, body: { code: 'SEATS_OVER_CAPACITY', detail: `${room.name} ha 50 posti; ne sono stati chiesti 60. Scegli un’aula più grande o meno posti.` } });

    const missing = await t.api('GET', '/api/v1/bookings/00000000-0000-4000-8000-000000000000', { as: anna, headers: it });
    expect(missing).toMatchObject({ status: 404, body: { code: 'BOOKING_NOT_FOUND', detail: 'Non esiste una prenotazione con questo id, o non puoi vederla.', lang: 'it' } });
  });

  it('says the refusals the error mapper writes itself in Italian too: a name taken, a body that is not JSON', async () => {
    const it = { 'accept-language': 'it-IT,it;q=0.9' };
    const name = `Aula Magna ${Math.random().toString(36).slice(2, 8)}`;
    expect((await t.api('POST', '/api/v1/rooms', { as: t.admin, body: { name, capacity: 10 } })).status).toBe(201);
    const taken = await t.api('POST', '/api/v1/rooms', { as: t.admin, body: { name, capacity: 10 }, headers: it });
    expect(taken).toMatchObject({ status: 409, body: { code: 'NAME_TAKEN', detail: 'Esiste già un’aula con questo nome.', lang: 'it' } });
    const english = await t.api('POST', '/api/v1/rooms', { as: t.admin, body: { name, capacity: 10 } });
    expect(english).toMatchObject({ status: 409, body: { code: 'NAME_TAKEN', detail: 'A room with this name already exists.' } });
    expect(english.body.lang).toBeUndefined();
    const broken = await t.api('POST', '/api/v1/rooms', { as: t.admin, raw: '{"name": ', headers: { ...it, 'content-type': 'application/json' } });
    expect(broken).toMatchObject({ status: 400, body: { code: 'MALFORMED_JSON', detail: 'Il corpo della richiesta non è JSON valido.', lang: 'it' } });
  });

  it('shows federated sign-in refusals in Italian on an Italian page', async () => {
    const res = await fetch(`${t.baseUrl}/auth/oidc/nowhere/login`, { headers: { 'accept-language': 'it' }, redirect: 'manual' });
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('lang="it"');
    expect(html).not.toMatch(/is not configured/);
  });
});

describe('PUBLIC_URL and the address people use', () => {
  let t: TestPortal;
  const logs: Record<string, unknown>[] = [];
  beforeAll(async () => {
    t = await startTestPortal({ env: { PUBLIC_URL: 'https://meet.example.org', TRUST_PROXY: 'true' }, logs });
  });
  afterAll(async () => t?.close());

  it('is ready without a warning while people reach it at PUBLIC_URL, and probes at the pod address do not count', async () => {
    expect((await getWithHost(t.baseUrl, '/api/v1/rooms', 'meet.example.org')).status).toBe(401);
    expect((await getWithHost(t.baseUrl, '/healthz', '10.1.2.3:8080')).status).toBe(200);
    const ready = await getWithHost(t.baseUrl, '/readyz', '10.1.2.3:8080');
    expect(ready.status).toBe(200);
    const body = JSON.parse(ready.body) as Record<string, unknown>;
    expect(body.status).toBe('ready');
    expect(body.warning).toBeUndefined();
  });

  it('says in /readyz (still 200) and once in the log when a page is reached at another address', async () => {
    await getWithHost(t.baseUrl, '/', 'portal.internal:3000');
    await getWithHost(t.baseUrl, '/', 'portal.internal:3000');
    // Behind a trusted proxy the address people typed is X-Forwarded-Host.
    await getWithHost(t.baseUrl, '/api/v1/rooms', '10.0.0.5', { 'x-forwarded-host': 'webmeetings.example.net', 'x-forwarded-proto': 'https' });
    const ready = await getWithHost(t.baseUrl, '/readyz', 'meet.example.org');
    expect(ready.status).toBe(200);
    const body = JSON.parse(ready.body) as { status: string; warning: string; publicUrl: string; reachedAt: string[] };
    expect(body.status).toBe('ready');
    expect(body.publicUrl).toBe('https://meet.example.org');
    expect(body.reachedAt).toEqual(['portal.internal:3000', 'webmeetings.example.net']);
    expect(body.warning).toContain('PUBLIC_URL is https://meet.example.org');
    const warned = logs.filter((l) => l.event === 'public-url.mismatch');
    expect(warned.map((l) => l.reachedAt)).toEqual(['http://portal.internal:3000', 'https://webmeetings.example.net']);
  });
});
