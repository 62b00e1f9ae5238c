// Federation metadata aggregates: signature verified against the federation certificate, the last
// good copy kept in PostgreSQL and used by every instance, validUntil/cacheDuration honoured, one
// instance at a time refreshing.
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FederationRegistry } from '../../src/identity/saml/federation-registry.ts';
import { openTestDatabase, type TestDatabase } from '../support/database.ts';
import { makeKeyPair, type KeyPair } from './support/keys.ts';
import { aggregateXml, signAggregate, type TestIdp } from './support/metadata.ts';

let fed: KeyPair, other: KeyPair, idpKey: KeyPair;
let db: TestDatabase;
let server: Server;
let url: string;
let served = '';
let fetches = 0;
const logs: Record<string, unknown>[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _e, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  }),
);

const idp = (n: string, names: { it: string; en: string }, scopes: string[]): TestIdp => ({
  entityId: `https://idp.${n}.test/idp/shibboleth`,
  names,
  scopes,
  ssoRedirect: `https://idp.${n}.test/sso`,
  slo: `https://idp.${n}.test/slo`,
  certBase64: idpKey.certBase64,
});
let padova: TestIdp, milano: TestIdp, torino: TestIdp;

const registry = (o: Partial<{ refreshMinutes: number }> = {}) =>
  new FederationRegistry(db.database.db, { sources: [url], federationCertPem: fed.certPem, refreshMinutes: o.refreshMinutes ?? 60, pollSeconds: 3600 }, logger);

const refusal = () => logs.findLast((l) => l.event === 'saml.metadata.refused') as { reason: string; level: number } | undefined;

beforeAll(async () => {
  [fed, other, idpKey] = ['federation', 'other', 'idp'].map(makeKeyPair) as [KeyPair, KeyPair, KeyPair];
  padova = idp('unipd', { it: 'Università degli Studi di Padova', en: 'University of Padua' }, ['unipd.it']);
  milano = idp('unimi', { it: 'Università degli Studi di Milano', en: 'University of Milan' }, ['unimi.it', 'studenti.unimi.it']);
  torino = idp('unito', { it: 'Università di Torino', en: 'University of Turin' }, ['unito.it']);
  db = await openTestDatabase();
  server = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(served);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/aggregate.xml`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await db.drop();
});

beforeEach(async () => {
  await sql`DELETE FROM federation_metadata`.execute(db.database.db);
  fetches = 0;
});

describe('federation metadata', () => {
  it('loads a signed aggregate and extracts every IdP: entityID, names, scopes, endpoints, certificates', async () => {
    served = signAggregate(aggregateXml([padova, milano]), fed);
    const r = registry();
    await r.tick();
    expect(r.all().map((i) => i.entityId).sort()).toEqual([padova.entityId, milano.entityId].sort());
    const m = r.find(milano.entityId)!;
    expect(m.names).toEqual({ it: 'Università degli Studi di Milano', en: 'University of Milan' });
    expect(m.scopes.sort()).toEqual(['studenti.unimi.it', 'unimi.it']);
    expect(m.ssoRedirect).toBe('https://idp.unimi.test/sso');
    expect(m.slo).toEqual({ binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', location: 'https://idp.unimi.test/slo', responseLocation: null });
    expect(m.signingCerts[0]).toContain(idpKey.certBase64.slice(0, 64));
  });

  it('searches IdPs by name in Italian or English (accents ignored) and by domain', async () => {
    served = signAggregate(aggregateXml([padova, milano, torino]), fed);
    const r = registry();
    await r.tick();
    expect(r.search('padova', 'it').map((i) => i.entityId)).toEqual([padova.entityId]);
    expect(r.search('padua', 'en').map((i) => i.entityId)).toEqual([padova.entityId]);
    expect(r.search('universita studi', 'it').map((i) => i.entityId).sort()).toEqual([padova.entityId, milano.entityId].sort());
    expect(r.search('studenti.unimi', 'it').map((i) => i.entityId)).toEqual([milano.entityId]);
    expect(r.findByDomain('studenti.unimi.it')?.entityId).toBe(milano.entityId);
    expect(r.findByDomain('math.unito.it')?.entityId).toBe(torino.entityId);
    expect(r.findByDomain('example.org')).toBeNull();
  });

  it('refuses an unsigned aggregate', async () => {
    served = aggregateXml([padova]);
    const r = registry();
    await r.tick();
    expect(r.all()).toEqual([]);
    expect(refusal()?.reason).toMatch(/not signed/);
  });

  it('refuses an aggregate with a broken signature and keeps using the last good copy', async () => {
    served = signAggregate(aggregateXml([padova]), fed);
    const r = registry();
    await r.tick();
    served = signAggregate(aggregateXml([padova, torino]), fed).replace('University of Turin', 'University of Evil');
    await r.tick(true);
    expect(refusal()?.reason).toMatch(/signature is invalid|invalid/);
    expect(refusal()?.level).toBe(50);
    expect(r.all().map((i) => i.entityId)).toEqual([padova.entityId]);
    const row = await sql<{ last_error: string }>`SELECT last_error FROM federation_metadata`.execute(db.database.db);
    expect(row.rows[0]?.last_error).toMatch(/invalid/);
  });

  it('refuses an aggregate signed with a key other than the federation’s', async () => {
    served = signAggregate(aggregateXml([padova]), fed);
    const r = registry();
    await r.tick();
    served = signAggregate(aggregateXml([torino]), other);
    await r.tick(true);
    expect(refusal()?.reason).toMatch(/invalid/);
    expect(r.all().map((i) => i.entityId)).toEqual([padova.entityId]);
  });

  it('refuses an unsigned IdP wrapped around or appended to a signed aggregate', async () => {
    const signed = signAggregate(aggregateXml([padova]), fed);
    const r = registry();
    served = signed.replace('</md:EntitiesDescriptor>', `${aggregateXml([torino]).replace(/^<\?xml[^>]*>\s*/, '')}</md:EntitiesDescriptor>`);
    await r.tick(true);
    expect(r.find(torino.entityId)).toBeNull();
    served = aggregateXml([torino]).replace('</md:EntitiesDescriptor>', `${signed.replace(/^<\?xml[^>]*>\s*/, '')}</md:EntitiesDescriptor>`);
    await r.tick(true);
    expect(refusal()?.reason).toMatch(/not signed/);
    expect(r.all()).toEqual([]);
  });

  it('refuses an aggregate whose validUntil has passed, and stops using a stored copy once it expires', async () => {
    served = signAggregate(aggregateXml([padova], { validUntil: new Date(Date.now() - 60_000) }), fed);
    const r = registry();
    await r.tick();
    expect(refusal()?.reason).toMatch(/validUntil/);
    expect(r.all()).toEqual([]);
    served = signAggregate(aggregateXml([padova], { validUntil: new Date(Date.now() + 1500) }), fed);
    await r.tick(true);
    expect(r.all()).toHaveLength(1);
    await new Promise((res) => setTimeout(res, 1600));
    expect(r.all()).toEqual([]);
  });

  it('fetches again only when cacheDuration says so', async () => {
    served = signAggregate(aggregateXml([padova], { cacheDuration: 'PT2H' }), fed);
    const r = registry({ refreshMinutes: 24 * 60 });
    await r.tick();
    const row = await sql<{ secs: number }>`SELECT extract(epoch FROM refresh_after - fetched_at)::int AS secs FROM federation_metadata`.execute(db.database.db);
    expect(Number(row.rows[0]!.secs)).toBe(7200);
    served = signAggregate(aggregateXml([padova, torino]), fed);
    await r.tick();
    expect(fetches).toBe(1);
    expect(r.find(torino.entityId)).toBeNull();
    await sql`UPDATE federation_metadata SET refresh_after = now() - interval '1 second'`.execute(db.database.db);
    await r.tick();
    expect(fetches).toBe(2);
    expect(r.find(torino.entityId)).not.toBeNull();
  });

  it('shares the last good copy between instances, and only one of them fetches at a time', async () => {
    served = signAggregate(aggregateXml([padova, milano]), fed);
    const [a, b] = [registry(), registry()];
    await Promise.all([a.tick(), b.tick()]);
    expect(fetches).toBe(1);
    // The instance that did not fetch picks the stored copy up at its next poll, without fetching.
    await Promise.all([a.tick(), b.tick()]);
    expect(fetches).toBe(1);
    expect(a.all()).toHaveLength(2);
    expect(b.all()).toHaveLength(2);
    // A third instance starting while the source is down still has the federation's IdPs.
    served = 'Service Unavailable';
    const c = registry();
    await c.tick(true);
    expect(c.all()).toHaveLength(2);
  });
});
