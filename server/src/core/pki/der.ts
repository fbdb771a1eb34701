/**
 * A deliberately tiny DER reader: enough to classify a blob (certificate,
 * PKCS#8, PKCS#1, SEC1, SPKI, PKCS#12...) and to pull a BIT STRING out of an
 * SPKI. It never interprets key material beyond that and never throws.
 */

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

export type DerResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Reads one TLV at `offset`, bounded by `limit`. Only low tag numbers and definite lengths (DER). */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): DerResult<Tlv> {
  if (offset >= limit) return { ok: false, error: `expected an ASN.1 element at byte ${offset} but the data ends there` };
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) return { ok: false, error: `high-tag-number form at byte ${offset} is not expected here` };
  if (offset + 1 >= limit) return { ok: false, error: `ASN.1 element at byte ${offset} has no length` };
  let len = buf[offset + 1];
  let p = offset + 2;
  if (len === 0x80) return { ok: false, error: `indefinite length at byte ${offset} is not allowed in DER` };
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4) return { ok: false, error: `length of ${n} bytes at byte ${offset} is too large` };
    if (p + n > limit) return { ok: false, error: `ASN.1 length at byte ${offset} runs past the end of the data` };
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
    p += n;
  }
  if (p + len > limit) {
    return { ok: false, error: `ASN.1 element at byte ${offset} claims ${len} bytes but only ${Math.max(0, limit - p)} remain (truncated or corrupted)` };
  }
  return { ok: true, value: { tag, start: offset, contentStart: p, end: p + len } };
}

/** Children of a constructed element; null when they do not tile its content exactly. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] | null {
  const out: Tlv[] = [];
  let p = parent.contentStart;
  while (p < parent.end) {
    const r = readTlv(buf, p, parent.end);
    if (!r.ok) return null;
    out.push(r.value);
    p = r.value.end;
  }
  return out;
}

export function smallInteger(buf: Uint8Array, t: Tlv): number | null {
  if (t.tag !== 0x02) return null;
  const len = t.end - t.contentStart;
  if (len < 1 || len > 4) return null;
  let v = 0;
  for (let i = t.contentStart; i < t.end; i++) v = v * 256 + buf[i];
  return v;
}

export type DerKind =
  | 'certificate'
  | 'spki'
  | 'pkcs8'
  | 'pkcs8-encrypted'
  | 'pkcs1-private'
  | 'pkcs1-public'
  | 'sec1'
  | 'pkcs12'
  | 'pkcs7'
  | 'unknown';

export interface DerClassification {
  kind: DerKind;
  /** Structural problem (truncation, trailing bytes...), if any. */
  error?: string;
}

const OID_PKCS7_SIGNED_DATA = Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);

function bytesEqual(buf: Uint8Array, t: Tlv, expected: Uint8Array): boolean {
  if (t.end - t.contentStart !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (buf[t.contentStart + i] !== expected[i]) return false;
  return true;
}

/** Guesses what a DER blob is from its outer shape only. */
export function classifyDer(buf: Uint8Array): DerClassification {
  const top = readTlv(buf, 0);
  if (!top.ok) return { kind: 'unknown', error: top.error };
  if (top.value.tag !== 0x30) return { kind: 'unknown', error: 'the data does not start with an ASN.1 SEQUENCE' };
  const trailing = top.value.end < buf.length ? `${buf.length - top.value.end} unexpected bytes follow the ASN.1 structure` : undefined;
  const kids = children(buf, top.value);
  if (!kids) return { kind: 'unknown', error: 'the ASN.1 structure is corrupted (inner lengths do not add up)' };
  const withError = (kind: DerKind): DerClassification => (trailing ? { kind, error: trailing } : { kind });
  const [a, b, c] = kids;
  if (!a) return { kind: 'unknown', error: 'the ASN.1 SEQUENCE is empty' };
  if (a.tag === 0x30) {
    if (kids.length === 3 && b.tag === 0x30 && c.tag === 0x03) return withError('certificate');
    if (kids.length === 2 && b.tag === 0x03) return withError('spki');
    if (kids.length === 2 && b.tag === 0x04) return withError('pkcs8-encrypted');
  }
  if (a.tag === 0x06 && bytesEqual(buf, a, OID_PKCS7_SIGNED_DATA)) return withError('pkcs7');
  if (a.tag === 0x02) {
    const v = smallInteger(buf, a);
    if (v === 3 && b?.tag === 0x30) return withError('pkcs12');
    if ((v === 0 || v === 1) && b?.tag === 0x30 && c?.tag === 0x04) return withError('pkcs8');
    if (v === 1 && b?.tag === 0x04) return withError('sec1');
    if (v === 0 && kids.length >= 9 && kids.every((k) => k.tag === 0x02)) return withError('pkcs1-private');
    if (kids.length === 2 && b?.tag === 0x02) return withError('pkcs1-public');
  }
  return { kind: 'unknown', error: trailing };
}

/** The subjectPublicKey BIT STRING content (without the unused-bits byte) of an SPKI. */
export function spkiPublicKeyBits(spki: Uint8Array): Uint8Array | null {
  const top = readTlv(spki, 0);
  if (!top.ok) return null;
  const kids = children(spki, top.value);
  if (!kids || kids.length !== 2 || kids[1].tag !== 0x03) return null;
  const bits = kids[1];
  if (bits.end - bits.contentStart < 1 || spki[bits.contentStart] !== 0) return null;
  return spki.subarray(bits.contentStart + 1, bits.end);
}
