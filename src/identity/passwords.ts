// Argon2id (the OWASP-recommended password hash), through the argon2 package's native binding.
import argon2 from 'argon2';
import type { PasswordHasher } from '../app/accounts.ts';

export const argon2Hasher: PasswordHasher = {
  hash: (password) => argon2.hash(password, { type: argon2.argon2id }),
  verify: async (hash, password) => {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  },
};
