// Provider settings come from configuration only, and a half-configured provider stops the start
// with a message naming the variables.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { ProviderRegistry } from '../../src/providers/registry.ts';

const clock = { now: () => new Date() };

describe('provider configuration', () => {
  it('defaults to public Jitsi without tokens when nothing is configured', async () => {
    const { providers, policy } = loadConfig({}).provisioning;
    expect(providers).toMatchObject({ defaultProvider: 'jitsi', fallbackProvider: null, adobeConnect: null, bigbluebutton: null });
    expect(policy).toMatchObject({ leadMinutes: 30, graceMinutes: 15, joinOpensMinutes: 15, noShowMinutes: 15 });
    const registry = new ProviderRegistry(providers, clock);
    expect(registry.all().map((p) => p.name)).toEqual(['jitsi']);
    const url = await registry.get('jitsi').provider.hostJoinUrl({ id: 'wm-x' }, { id: 'u', name: 'Ada' }, { bookingId: 'x', meetingKey: '0123456789abcdef0123456789abcdef', title: 't', start: new Date(), end: new Date(), seats: 1, timeZone: 'UTC', host: { userId: 'u', email: 'a@x', name: 'Ada' }, guestPolicy: 'open', settings: {} });
    expect(url).toMatch(/^https:\/\/meet\.jit\.si\/wm-0123456789abcdef0123456789abcdef#/);
    expect(url).not.toContain('jwt=');
  });

  it('picks the configured service as the default and checks capabilities once', () => {
    const { providers } = loadConfig({ BBB_URL: 'https://bbb.example.org/bigbluebutton/api', BBB_SECRET: 's3cret' }).provisioning;
    expect(providers.defaultProvider).toBe('bigbluebutton');
    const registry = new ProviderRegistry(providers, clock);
    // Both can carry phone audio; whether a room does is roomAudio's answer (null without Jigasi).
    expect(registry.get('bigbluebutton')).toMatchObject({ counts: true, attendance: false, lists: true, audio: true });
    expect(registry.get('jitsi')).toMatchObject({ counts: false, lists: false, audio: true });
    expect(() => registry.get('adobe-connect')).toThrow(/no configuration/);
  });

  it('reads how each room takes phone audio, with defaults', () => {
    const plain = loadConfig({ BBB_URL: 'https://bbb.example.org/bigbluebutton/api', BBB_SECRET: 's3cret', JITSI_URL: 'https://meet.example.org' }).provisioning.providers;
    expect(plain.bigbluebutton?.sipEndpoint).toBe('bigbluebutton');
    expect(plain.jitsi.jigasi).toBeNull();
    const set = loadConfig({
      BBB_URL: 'https://bbb.example.org/bigbluebutton/api',
      BBB_SECRET: 's3cret',
      BBB_SIP_ENDPOINT: 'bbb-fs',
      JITSI_URL: 'https://meet.example.org',
      JITSI_JIGASI_ENDPOINT: 'jigasi',
      ADOBE_CONNECT_URL: 'https://connect.example.org',
      ADOBE_CONNECT_LOGIN: 'portal',
      ADOBE_CONNECT_PASSWORD: 'pw',
      ADOBE_CONNECT_TELEPHONY_PROVIDER_ID: '1160437530',
      ADOBE_CONNECT_TELEPHONY_LOCATION: 'IT',
    }).provisioning.providers;
    expect(set.bigbluebutton?.sipEndpoint).toBe('bbb-fs');
    expect(set.jitsi.jigasi).toEqual({ endpoint: 'jigasi', roomHeader: 'Jitsi-Conference-Room', mucDomain: 'conference.meet.example.org' });
    expect(set.adobeConnect?.telephony).toEqual({ providerId: '1160437530', pinField: 'x-tel-webmeetings-pin', location: 'IT' });
    const muc = loadConfig({ JITSI_JIGASI_ENDPOINT: 'jigasi', JITSI_MUC_DOMAIN: 'muc.meet.example.org', JITSI_JIGASI_ROOM_HEADER: 'X-Room-Name' }).provisioning.providers.jitsi.jigasi;
    expect(muc).toEqual({ endpoint: 'jigasi', roomHeader: 'X-Room-Name', mucDomain: 'muc.meet.example.org' });
  });

  it('reads Janus: the browsers’ URL defaults to the portal’s, the key and the secret are required, and it becomes the default', () => {
    const janus = { JANUS_URL: 'http://127.0.0.1:8088/janus', JANUS_ADMIN_KEY: 'plugin-admin-key', JANUS_SECRET: 'a-secret-of-enough-length' };
    const { providers } = loadConfig(janus).provisioning;
    expect(providers.defaultProvider).toBe('janus');
    expect(providers.janus).toEqual({ url: janus.JANUS_URL, publicUrl: janus.JANUS_URL, adminKey: 'plugin-admin-key', secret: 'a-secret-of-enough-length', rtpHost: undefined });
    const registry = new ProviderRegistry(providers, clock, {}, { publicUrl: 'https://portal.example.org' });
    expect(registry.get('janus')).toMatchObject({ counts: true, lists: true, audio: true });
    const behind = loadConfig({ ...janus, JANUS_PUBLIC_URL: 'https://meet.example.org/janus', JANUS_RTP_HOST: '10.0.0.5' }).provisioning.providers.janus;
    expect(behind).toMatchObject({ publicUrl: 'https://meet.example.org/janus', rtpHost: '10.0.0.5' });
    expect(() => loadConfig({ JANUS_URL: janus.JANUS_URL, JANUS_SECRET: janus.JANUS_SECRET })).toThrow(/JANUS_URL needs JANUS_ADMIN_KEY/);
    expect(() => loadConfig({ ...janus, JANUS_SECRET: 'short' })).toThrow(/JANUS_SECRET/);
    expect(() => loadConfig({ JANUS_ADMIN_KEY: 'k' })).toThrow(/need JANUS_URL/);
    expect(() => loadConfig({ ...janus, JANUS_RTP_HOST: 'not a host' })).toThrow(/JANUS_RTP_HOST/);
    expect(() => loadConfig({ PROVIDER_DEFAULT: 'janus' })).toThrow(/PROVIDER_DEFAULT=janus needs JANUS_URL/);
  });

  it('refuses a phone-audio setting that cannot work, naming it', () => {
    expect(() => loadConfig({ BBB_SIP_ENDPOINT: 'bad endpoint' })).toThrow(/BBB_SIP_ENDPOINT/);
    expect(() => loadConfig({ ADOBE_CONNECT_TELEPHONY_PROVIDER_ID: '12', ADOBE_CONNECT_TELEPHONY_LOCATION: 'IT' })).toThrow(/ADOBE_CONNECT_TELEPHONY_PROVIDER_ID needs ADOBE_CONNECT_URL/);
    const adobe = { ADOBE_CONNECT_URL: 'https://connect.example.org', ADOBE_CONNECT_LOGIN: 'portal', ADOBE_CONNECT_PASSWORD: 'pw' };
    expect(() => loadConfig({ ...adobe, ADOBE_CONNECT_TELEPHONY_PROVIDER_ID: '12' })).toThrow(/ADOBE_CONNECT_TELEPHONY_PROVIDER_ID and ADOBE_CONNECT_TELEPHONY_LOCATION/);
    expect(() => loadConfig({ ...adobe, ADOBE_CONNECT_TELEPHONY_PROVIDER_ID: 'uv' })).toThrow(/ADOBE_CONNECT_TELEPHONY_PROVIDER_ID/);
  });

  it('refuses half a configuration, naming the variables', () => {
    expect(() => loadConfig({ BBB_URL: 'https://bbb.example.org/bigbluebutton/api' })).toThrow(ConfigError);
    expect(() => loadConfig({ BBB_URL: 'https://bbb.example.org/bigbluebutton/api' })).toThrow(/BBB_URL and BBB_SECRET/);
    expect(() => loadConfig({ ADOBE_CONNECT_URL: 'https://connect.example.org' })).toThrow(/ADOBE_CONNECT_LOGIN/);
    expect(() => loadConfig({ PROVIDER_FALLBACK: 'adobe-connect' })).toThrow(/PROVIDER_FALLBACK=adobe-connect needs/);
    expect(() => loadConfig({ JITSI_APP_ID: 'x', JITSI_APP_SECRET: 'short' })).toThrow(/JITSI_APP_SECRET/);
    expect(() => loadConfig({ BBB_CHECKSUM: 'md5' })).toThrow(/BBB_CHECKSUM/);
  });
});
