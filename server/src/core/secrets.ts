/** Generating secrets for quick fixes. The random source is injectable so tests are repeatable. */
import { randomBytes } from 'node:crypto';

export type RandomSource = (size: number) => Uint8Array;

export const cryptoRandom: RandomSource = (size) => randomBytes(size);

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const ALPHABET = LOWER + UPPER + DIGITS;

/**
 * A password that meets Harbor's policy (8-128 characters with an upper-case
 * letter, a lower-case letter and a digit), from letters and digits only so it
 * needs no quoting in YAML, INI or a shell.
 */
export function generatePassword(random: RandomSource, length = 24): string {
  for (;;) {
    const bytes = random(length * 2);
    let password = '';
    // Rejection sampling keeps the characters uniformly distributed.
    for (const byte of bytes) {
      if (byte < 256 - (256 % ALPHABET.length)) password += ALPHABET[byte % ALPHABET.length];
      if (password.length === length) break;
    }
    if (password.length === length && /[a-z]/.test(password) && /[A-Z]/.test(password) && /[0-9]/.test(password)) return password;
  }
}

/** A deterministic source for tests (xorshift32). */
export function seededRandom(seed = 0x9e3779b9): RandomSource {
  let state = seed >>> 0 || 1;
  return (size) => {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      out[i] = state & 0xff;
    }
    return out;
  };
}
