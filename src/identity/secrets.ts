import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe. */
export const newSecret = () => randomBytes(32).toString('base64url');
/** Secrets are stored only as their SHA-256: a leaked table opens no session. */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');
