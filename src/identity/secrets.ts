import { hash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe. */
export const newSecret = () => randomBytes(32).toString('base64url');
/**
 * Secrets are stored only as their SHA-256: a leaked table opens no session. The one-shot hash (no
 * Hash object per call): every signed-in request hashes its session or token to find it.
 */
export const hashSecret = (secret: string) => hash('sha256', secret, 'base64url');
