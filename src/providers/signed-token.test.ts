import { createSecretKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { signHs256 } from './signed-token.ts';

const secret = Buffer.from('a secret of enough length for HS256', 'utf8');
const claims = { room: 'wm-x', context: { user: { id: 'g-1', name: 'Zoë Ćirić 名前', moderator: false } }, aud: 'jitsi', iss: 'webmeetings', nbf: 1_800_000_000, exp: 1_800_003_600 };

describe('signHs256', () => {
  it('signs what jsonwebtoken signs, from the claims or their JSON, and a verifier accepts it', async () => {
    const expected = jwt.sign(claims, secret, { algorithm: 'HS256', noTimestamp: true });
    expect(signHs256(claims, secret)).toBe(expected);
    expect(signHs256(JSON.stringify(claims), createSecretKey(secret))).toBe(expected);
    const { payload, protectedHeader } = await jwtVerify(expected, secret, { currentDate: new Date(1_800_000_100_000), audience: 'jitsi' });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual(claims);
  });

  it('makes a token no verifier accepts under another key', async () => {
    const token = signHs256(claims, secret);
    await expect(jwtVerify(token, Buffer.from('another secret of enough length!!'), { currentDate: new Date(1_800_000_100_000) })).rejects.toThrow(/signature/);
  });
});
