// Jitsi Meet's dial-in services as jitsi-meet calls them (react/features/invite/_utils.ts) and
// as its resources/cloud-api.swagger answers: conferenceMapper and phoneNumberList.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jitsiDialInRoutes } from '../../src/http/routes/jitsi-dial-in.ts';

const ROOM = 'wm-0b5f4a8e-8f5e-4b44-9f7c-3f4c1d2e5a61';
const app = Fastify();
const asked: string[] = [];

beforeAll(async () => {
  await app.register(jitsiDialInRoutes, {
    resolve: async (name) => {
      asked.push(name);
      return name === ROOM ? { pin: '4825193' } : null;
    },
    numbers: [
      { number: '+390612345678', country: 'IT' },
      { number: '+41445550000', country: null },
    ],
    allowOrigin: 'https://meet.example.org',
  });
  await app.ready();
});
afterAll(() => app.close());

describe('Jitsi Meet dial-in services', () => {
  it('maps a booked room to its audio PIN, as getDialInConferenceID asks for it', async () => {
    // _utils.ts: `${baseUrl}?conference=${roomName}@${mucURL}&url=${page}`, not encoded.
    const res = await app.inject({ method: 'GET', url: `/jitsi/dial-in/conference?conference=${ROOM}@conference.meet.example.org&url=https://meet.example.org/${ROOM}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://meet.example.org');
    expect(res.json()).toEqual({ id: 4825193, conference: `${ROOM}@conference.meet.example.org` });
    expect(asked.at(-1)).toBe(ROOM);
  });

  it('answers "no conference" with a message for a room without audio, so Jitsi shows no dial-in', async () => {
    const res = await app.inject({ method: 'GET', url: '/jitsi/dial-in/conference?conference=someroom@conference.meet.example.org' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ conference: unknown; id?: unknown; message: string }>();
    expect(body.conference).toBe(false);
    expect(body.id).toBeUndefined();
    expect(body.message).toMatch(/no audio conference/);
  });

  it('refuses a request without a conference as invalid input', async () => {
    const res = await app.inject({ method: 'GET', url: '/jitsi/dial-in/conference?id=4825193' });
    expect(res.statusCode).toBe(405);
  });

  it('lists the dial-in numbers in the phoneNumberList shape', async () => {
    const res = await app.inject({ method: 'GET', url: `/jitsi/dial-in/numbers?conference=${ROOM}@conference.meet.example.org` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://meet.example.org');
    expect(res.json()).toEqual([
      { countryCode: 'IT', formattedNumber: '+390612345678', tollFree: false },
      { formattedNumber: '+41445550000', tollFree: false },
    ]);
  });
});
