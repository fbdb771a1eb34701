/**
 * bcrypt for htpasswd lines (registry-credentials), through bcryptjs: a
 * well-kept pure-JS implementation, rather than Blowfish of our own.
 */
import { compareSync, hashSync } from 'bcryptjs';

/** `$2a$`/`$2b$`/`$2y$`, cost, 22-character salt, 31-character hash. */
export const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

/** Verifying a cost-12 hash takes about a quarter of a second; higher costs are not checked while typing. */
export const MAX_CHECKED_COST = 12;

/** Hashes with a full setting (`$2y$10$<22-character salt>`), keeping the setting's `$2y$`/`$2b$`/`$2a$` prefix. */
export function bcryptHash(password: string, setting: string): string {
  // Deterministic for a password and setting: remembered like verifications (a cost-10 hash is ~0.1 s, and fixes
  // recompute it on every analysis of the file that gets the same generated password, as a seeded run does).
  return remembered(hashed, `${setting}\0${password}`, () => hashSync(password, setting));
}

const hashed = new Map<string, string>();

const verified = new Map<string, boolean>();

/** A small bounded memo: bcrypt is slow on purpose, and the same few passwords are checked on every analysis. */
function remembered<T>(memo: Map<string, T>, id: string, compute: () => T): T {
  let result = memo.get(id);
  if (result === undefined) {
    result = compute();
    if (memo.size > 64) memo.clear();
    memo.set(id, result);
  }
  return result;
}

/** Whether `password` matches a bcrypt `hash`; undefined when it is not bcrypt or its cost is above {@link MAX_CHECKED_COST}. */
export function bcryptVerify(password: string, hash: string): boolean | undefined {
  const match = BCRYPT_HASH.exec(hash);
  if (!match || Number(match[1]) < 4 || Number(match[1]) > MAX_CHECKED_COST) return undefined;
  return remembered(verified, `${hash}\0${password}`, () => compareSync(password, hash));
}
