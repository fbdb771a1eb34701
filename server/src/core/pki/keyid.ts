/**
 * Key identifiers that registries print in "token signed by untrusted key with ID".
 *
 * - libtrust (docker distribution 2.x, every Harbor 2.x release):
 *   base32(SHA-256(DER SubjectPublicKeyInfo)[:30]) without padding, in 12 groups of 4 joined by ':'.
 * - RFC 7638 JWK thumbprint (distribution >= 3.0.0-rc.1 keys rootcertbundle certs by it):
 *   base64url(SHA-256(canonical JWK JSON)), 43 characters.
 */
import { createHash, createPublicKey, KeyObject } from 'node:crypto';
import { spkiPublicKeyBits } from './der';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

function publicOf(key: KeyObject): KeyObject {
  return key.type === 'private' ? createPublicKey(key) : key;
}

/** libtrust key ID of a public (or private) key: 'ABCD:EFGH:...' (12 groups). */
export function libtrustKeyId(publicKey: KeyObject): string {
  const spki = goSpki(publicOf(publicKey));
  const digest = createHash('sha256').update(spki).digest().subarray(0, 30);
  return (base32(digest).match(/.{4}/g) ?? []).join(':');
}

/**
 * The SPKI as Go's `x509.MarshalPKIXPublicKey` writes it. Node keeps an EC
 * key's point form, so a key or certificate with a compressed point would
 * export a compressed SPKI; Go always writes the uncompressed point with a
 * named curve. Re-import through JWK to get that form.
 */
function goSpki(pub: KeyObject): Buffer {
  if (pub.asymmetricKeyType === 'ec') {
    try {
      const jwk = pub.export({ format: 'jwk' });
      return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
    } catch {
      // explicit curve parameters: no JWK form; fall through to the stored encoding
    }
  }
  return pub.export({ type: 'spki', format: 'der' });
}

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');

export interface ThumbprintOptions {
  /**
   * Encode EC coordinates like Go's `big.Int.Bytes()` (leading zero bytes dropped), as
   * distribution v3.1 `GetJWKThumbprint` does. Differs from RFC 7638 for ~1 in 128 P-256 keys.
   */
  goBigIntCoordinates?: boolean;
}

/** Canonical RFC 7638 members, in lexicographic order; null for key types RFC 7638/8037 do not define. */
function canonicalJwk(publicKey: KeyObject, options: ThumbprintOptions): string | null {
  const pub = publicOf(publicKey);
  const type = pub.asymmetricKeyType;
  if (type === 'rsa-pss') {
    // JWK has no PSS key type; the RSAPublicKey inside the SPKI is the same (n, e).
    const bits = spkiPublicKeyBits(new Uint8Array(pub.export({ type: 'spki', format: 'der' })));
    if (!bits) return null;
    const rsa = createPublicKey({ key: Buffer.from(bits), format: 'der', type: 'pkcs1' });
    return canonicalJwk(rsa, options);
  }
  const jwk = pub.export({ format: 'jwk' });
  if (jwk.kty === 'RSA' && jwk.n && jwk.e) return JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n });
  if (jwk.kty === 'EC' && jwk.crv && jwk.x && jwk.y) {
    let { x, y } = jwk;
    if (options.goBigIntCoordinates) {
      const strip = (s: string) => {
        const b = Buffer.from(s, 'base64url');
        let k = 0;
        while (k < b.length - 1 && b[k] === 0) k++;
        return b64url(b.subarray(k));
      };
      x = strip(x);
      y = strip(y);
    }
    return JSON.stringify({ crv: jwk.crv, kty: 'EC', x, y });
  }
  if (jwk.kty === 'OKP' && jwk.crv && jwk.x) return JSON.stringify({ crv: jwk.crv, kty: 'OKP', x: jwk.x });
  return null;
}

/** RFC 7638 JWK thumbprint (base64url SHA-256), or '' for key types without a JWK form. */
export function jwkThumbprint(publicKey: KeyObject, options: ThumbprintOptions = {}): string {
  try {
    const json = canonicalJwk(publicKey, options);
    return json === null ? '' : createHash('sha256').update(json).digest('base64url');
  } catch {
    return '';
  }
}

export const LIBTRUST_KEY_ID = /^(?:[A-Z2-7]{4}:){11}[A-Z2-7]{4}$/;
export const JWK_THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

export interface FoundKeyId {
  id: string;
  form: 'libtrust' | 'rfc7638';
}

/**
 * Key IDs in a pasted log line. libtrust IDs are found anywhere; a 43-character
 * base64url RFC 7638 thumbprint only where a key ID is expected (`with ID: "…"`,
 * `kid`), or when the text is nothing but the thumbprint, because other
 * base64url strings (JWT signatures, digests) have the same shape.
 */
export function findKeyIds(text: string): FoundKeyId[] {
  const found: FoundKeyId[] = [];
  const seen = new Set<string>();
  const add = (id: string, form: FoundKeyId['form']) => {
    if (!seen.has(id)) {
      seen.add(id);
      found.push({ id, form });
    }
  };
  for (const m of text.matchAll(/(?<![A-Za-z0-9:])((?:[A-Z2-7]{4}:){11}[A-Z2-7]{4})(?![A-Za-z0-9:])/g)) add(m[1], 'libtrust');
  const contexts = [
    /\bID:?\s*\\?["'`]?([A-Za-z0-9_-]{43})(?![A-Za-z0-9_=-])/g,
    /\bkid\\?["']?\s*[:=]\s*\\?["']?([A-Za-z0-9_-]{43})(?![A-Za-z0-9_=-])/g,
  ];
  for (const re of contexts) for (const m of text.matchAll(re)) add(m[1], 'rfc7638');
  const whole = text.trim().replace(/^["'`]|["'`]$/g, '');
  if (JWK_THUMBPRINT.test(whole)) add(whole, 'rfc7638');
  return found;
}

/** Key IDs (libtrust form and RFC 7638 thumbprints) in a pasted log line, in order of appearance per form. */
export function parseKeyIdFromText(text: string): string[] {
  return findKeyIds(text).map((f) => f.id);
}
