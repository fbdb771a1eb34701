/**
 * Reads keys and certificates from PEM text, DER or PKCS#12 bytes with
 * node:crypto, and describes them without ever exposing key material.
 * node-forge is loaded lazily, only for PKCS#12 and to explain malformed DER.
 */
import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import type { Span } from '../types';
import { classifyDer, DerKind, spkiPublicKeyBits } from './der';
import { jwkThumbprint, libtrustKeyId } from './keyid';
import { PemScanOptions, scanPem, toPem } from './pem';

export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'unknown';

export interface KeyInfo {
  type: KeyType;
  /** RSA modulus length, or the EC field size (256, 384, 521). */
  bits?: number;
  /** JOSE name: 'P-256', 'P-384', 'P-521', 'Ed25519', 'Ed448'; the OpenSSL name for other curves. */
  curve?: string;
  /** libtrust key ID (distribution 2.x `kid`). */
  keyId: string;
  /** RFC 7638 thumbprint (base64url SHA-256); '' when the key type has no JWK form. */
  thumbprint: string;
  /** libtrust only handles RSA and ECDSA keys; a v2 registry cannot load other certificates. */
  libtrustSupported: boolean;
  /**
   * EC point stored in compressed form (in the certificate, or in the key file). Go's
   * crypto/x509 cannot parse certificates with compressed points.
   */
  compressedPoint?: boolean;
}

export type ObjectKind = 'private-key' | 'public-key' | 'certificate' | 'unknown';
export type ObjectFormat =
  | 'pkcs1'
  | 'pkcs8'
  | 'sec1'
  | 'spki'
  | 'x509'
  | 'pkcs8-encrypted'
  | 'legacy-encrypted'
  | 'der'
  | 'pkcs12'
  | 'unknown';

export interface CertificateInfo {
  /** Distinguished name, comma separated ('' for the empty subject Harbor's prepare uses). */
  subject: string;
  issuer: string;
  /** DNS names and IP addresses as plain strings; other kinds keep their prefix (`email:`, `URI:`). */
  sans: string[];
  notBefore: Date;
  notAfter: Date;
  /** Issuer equals subject and the certificate's own key verifies its signature. */
  selfSigned: boolean;
  /** Hex, as OpenSSL prints it. */
  serial: string;
  /** SHA-256 fingerprint 'AA:BB:…' of the certificate (public data). */
  fingerprint256: string;
  isCA: boolean;
}

export interface InspectedObject {
  kind: ObjectKind;
  format: ObjectFormat;
  /** For DER input (`format: 'der'`): the structure inside. */
  derFormat?: 'pkcs1' | 'pkcs8' | 'sec1' | 'spki' | 'x509' | 'pkcs8-encrypted';
  /** PEM label, for PEM input. */
  label?: string;
  /** Span of the PEM block in the text (absent for DER and PKCS#12 input). */
  span?: Span;
  /** The object is stored encrypted (PKCS#8 PBES, `Proc-Type: 4,ENCRYPTED`, or a password-protected PKCS#12). */
  encrypted: boolean;
  /** Encrypted and not readable because no password was given. Not a problem in itself. */
  needsPassword?: boolean;
  /** Of the key, or of the certificate's public key. */
  key?: KeyInfo;
  certificate?: CertificateInfo;
  /** Human message; never contains key material or passwords. */
  problem?: string;
}

export interface InspectOptions extends PemScanOptions {
  /** Password for encrypted keys and PKCS#12. Never echoed in any message. */
  password?: string;
}

interface Handles {
  privateKey?: KeyObject;
  publicKey?: KeyObject;
  cert?: X509Certificate;
}

/** Parsed node:crypto objects behind each InspectedObject, kept out of the (serialisable) object itself. */
const handles = new WeakMap<InspectedObject, Handles>();

export function handlesOf(o: InspectedObject): Handles | undefined {
  return handles.get(o);
}

// ---------------------------------------------------------------------------------------------
// Messages

/** Strips anything that could be encoded key material from a library message. */
export function safeMessage(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  return raw
    .replace(/[A-Za-z0-9+/=_-]{24,}/g, '…')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

function isBadDecrypt(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code ?? '';
  const msg = e instanceof Error ? e.message : '';
  return code === 'ERR_OSSL_BAD_DECRYPT' || /bad decrypt|wrong password|unable to decrypt/i.test(msg);
}

const DER_KIND_NAMES: Record<DerKind, string> = {
  certificate: 'an X.509 certificate',
  spki: 'a public key (SubjectPublicKeyInfo)',
  pkcs8: 'a PKCS#8 private key ("PRIVATE KEY")',
  'pkcs8-encrypted': 'an encrypted PKCS#8 key ("ENCRYPTED PRIVATE KEY")',
  'pkcs1-private': 'a PKCS#1 RSA private key ("RSA PRIVATE KEY")',
  'pkcs1-public': 'a PKCS#1 RSA public key ("RSA PUBLIC KEY")',
  sec1: 'a SEC1 EC private key ("EC PRIVATE KEY")',
  pkcs12: 'a PKCS#12 bundle',
  pkcs7: 'a PKCS#7 bundle',
  unknown: 'unrecognised ASN.1',
};

/** ASN.1-level explanation from node-forge (lazy), or null when forge finds the DER well formed. */
function forgeAsn1Problem(der: Uint8Array): string | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const forge = require('node-forge') as typeof import('node-forge');
    // forge >= 1.3 takes an options object; @types/node-forge still declares `strict?: boolean`.
    const options = { strict: true, parseAllBytes: true, decodeBitStrings: false } as unknown as boolean;
    forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')), options);
    return null;
  } catch (e) {
    return safeMessage(e);
  }
}

/** Why `der`, expected to be `expected`, could not be read. */
function explainUnreadable(what: string, der: Uint8Array, expected: DerKind, e: unknown): string {
  const shape = classifyDer(der);
  if (shape.error && shape.kind === 'unknown') return `the ${what} is not valid DER: ${shape.error}`;
  if (shape.kind !== expected && shape.kind !== 'unknown') {
    return `the ${what} contains ${DER_KIND_NAMES[shape.kind]}, not ${DER_KIND_NAMES[expected]}; fix the PEM label or convert the file`;
  }
  if (shape.error) return `the ${what} is damaged: ${shape.error}`;
  const asn1 = forgeAsn1Problem(der);
  if (asn1) return `the ${what} is not valid DER (${asn1.replace(/\.$/, '')})`;
  return `OpenSSL cannot read the ${what} (${safeMessage(e)})`;
}

// ---------------------------------------------------------------------------------------------
// Key and certificate descriptions

const CURVES: Record<string, [string, number]> = {
  prime256v1: ['P-256', 256],
  secp256r1: ['P-256', 256],
  secp384r1: ['P-384', 384],
  secp521r1: ['P-521', 521],
  secp256k1: ['secp256k1', 256],
};

export function describeKey(key: KeyObject): KeyInfo {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const t = pub.asymmetricKeyType;
  const type: KeyType = t === 'rsa' || t === 'rsa-pss' || t === 'ec' || t === 'ed25519' || t === 'ed448' ? t : 'unknown';
  const info: KeyInfo = { type, keyId: '', thumbprint: '', libtrustSupported: type === 'rsa' || type === 'ec' };
  const details = pub.asymmetricKeyDetails ?? {};
  if ((type === 'rsa' || type === 'rsa-pss') && details.modulusLength) info.bits = details.modulusLength;
  if (type === 'ec') {
    const named = details.namedCurve ? CURVES[details.namedCurve] : undefined;
    if (named) [info.curve, info.bits] = named;
    else if (details.namedCurve) info.curve = details.namedCurve;
    try {
      const point = spkiPublicKeyBits(new Uint8Array(pub.export({ type: 'spki', format: 'der' })));
      if (point && (point[0] === 0x02 || point[0] === 0x03)) info.compressedPoint = true;
    } catch {
      // no SPKI form: nothing to report
    }
  }
  if (type === 'ed25519') info.curve = 'Ed25519';
  if (type === 'ed448') info.curve = 'Ed448';
  try {
    info.keyId = libtrustKeyId(pub);
  } catch {
    info.keyId = '';
  }
  info.thumbprint = jwkThumbprint(pub);
  return info;
}

/** Splits Node's subjectAltName string ('DNS:a, IP Address:1.2.3.4, DNS:"quoted, name"'). */
function parseSans(s: string | undefined): string[] {
  if (!s) return [];
  const out: string[] = [];
  const re = /\s*([^:,]+):("(?:[^"\\]|\\.)*"|[^,]*)\s*(?:,|$)/g;
  for (const m of s.matchAll(re)) {
    const kind = m[1].trim();
    let value = m[2].trim();
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        value = value.slice(1, -1);
      }
    }
    out.push(kind === 'DNS' || kind === 'IP Address' ? value : `${kind}:${value}`);
  }
  return out;
}

function dn(s: string | undefined): string {
  // Node gives undefined (not '') for the empty subject of Harbor's prepare (`-subj /`).
  return (s ?? '')
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean)
    .join(', ');
}

export function describeCertificate(x: X509Certificate): CertificateInfo {
  let selfSigned = false;
  try {
    selfSigned = x.checkIssued(x) && x.verify(x.publicKey);
  } catch {
    selfSigned = false;
  }
  return {
    subject: dn(x.subject),
    issuer: dn(x.issuer),
    sans: parseSans(x.subjectAltName),
    notBefore: new Date(Date.parse(x.validFrom)),
    notAfter: new Date(Date.parse(x.validTo)),
    selfSigned,
    serial: x.serialNumber,
    fingerprint256: x.fingerprint256,
    isCA: x.ca,
  };
}

// ---------------------------------------------------------------------------------------------
// Object construction

function make(base: InspectedObject, h?: Handles): InspectedObject {
  if (h) handles.set(base, h);
  return base;
}

type KeyEncoding = 'pkcs1' | 'pkcs8' | 'sec1';

function certificateFromDer(der: Uint8Array, base: InspectedObject): InspectedObject {
  let x: X509Certificate;
  try {
    // PEM text rather than raw DER: on failure OpenSSL then reports the ASN.1 error, not "no start line".
    x = new X509Certificate(toPem('CERTIFICATE', der));
  } catch (e) {
    return { ...base, problem: explainUnreadable('certificate', der, 'certificate', e) };
  }
  try {
    const publicKey = x.publicKey;
    return make({ ...base, key: describeKey(publicKey), certificate: describeCertificate(x) }, { cert: x, publicKey });
  } catch (e) {
    return make({ ...base, problem: `the certificate's public key cannot be read (${safeMessage(e)})` }, { cert: x });
  }
}

const EXPECTED_DER: Record<KeyEncoding, DerKind> = { pkcs1: 'pkcs1-private', pkcs8: 'pkcs8', sec1: 'sec1' };

function privateKeyFromDer(der: Uint8Array, type: KeyEncoding, base: InspectedObject): InspectedObject {
  let k: KeyObject;
  try {
    k = createPrivateKey({ key: Buffer.from(der), format: 'der', type });
  } catch (e) {
    return { ...base, problem: explainUnreadable('private key', der, EXPECTED_DER[type], e) };
  }
  return withPrivateKey(k, base);
}

function withPrivateKey(k: KeyObject, base: InspectedObject): InspectedObject {
  try {
    const publicKey = createPublicKey(k);
    return make({ ...base, key: describeKey(publicKey) }, { privateKey: k, publicKey });
  } catch (e) {
    return { ...base, problem: `the private key's public half cannot be derived (${safeMessage(e)})` };
  }
}

function publicKeyFromDer(der: Uint8Array, type: 'spki' | 'pkcs1', base: InspectedObject): InspectedObject {
  try {
    const publicKey = createPublicKey({ key: Buffer.from(der), format: 'der', type });
    return make({ ...base, key: describeKey(publicKey) }, { publicKey });
  } catch (e) {
    return { ...base, problem: explainUnreadable('public key', der, type === 'spki' ? 'spki' : 'pkcs1-public', e) };
  }
}

function encryptedPkcs8(der: Uint8Array, base: InspectedObject, password: string | undefined): InspectedObject {
  if (password === undefined) return { ...base, needsPassword: true };
  try {
    const k = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8', passphrase: password });
    return withPrivateKey(k, base);
  } catch (e) {
    if (isBadDecrypt(e)) return { ...base, problem: 'the password is wrong (the key could not be decrypted)' };
    return { ...base, problem: explainUnreadable('encrypted private key', der, 'pkcs8-encrypted', e) };
  }
}

const BENIGN_LABELS = new Set(['EC PARAMETERS', 'CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST', 'X509 CRL', 'DH PARAMETERS', 'PKCS7']);

function labelShape(label: string, headers: Record<string, string>): { kind: ObjectKind; format: ObjectFormat; encrypted: boolean } {
  const legacyEncrypted = /ENCRYPTED/i.test(headers['Proc-Type'] ?? '');
  switch (label) {
    case 'CERTIFICATE':
    case 'X509 CERTIFICATE':
    case 'TRUSTED CERTIFICATE':
      return { kind: 'certificate', format: 'x509', encrypted: false };
    case 'RSA PRIVATE KEY':
      return { kind: 'private-key', format: legacyEncrypted ? 'legacy-encrypted' : 'pkcs1', encrypted: legacyEncrypted };
    case 'EC PRIVATE KEY':
      return { kind: 'private-key', format: legacyEncrypted ? 'legacy-encrypted' : 'sec1', encrypted: legacyEncrypted };
    case 'PRIVATE KEY':
      return { kind: 'private-key', format: 'pkcs8', encrypted: false };
    case 'ENCRYPTED PRIVATE KEY':
      return { kind: 'private-key', format: 'pkcs8-encrypted', encrypted: true };
    case 'PUBLIC KEY':
      return { kind: 'public-key', format: 'spki', encrypted: false };
    case 'RSA PUBLIC KEY':
      return { kind: 'public-key', format: 'pkcs1', encrypted: false };
    case 'OPENSSH PRIVATE KEY':
      return { kind: 'private-key', format: 'unknown', encrypted: false };
    default:
      return { kind: 'unknown', format: 'unknown', encrypted: false };
  }
}

function inspectPemBlock(
  block: { label: string; span: Span; body: Uint8Array | null; problem?: string; headers: Record<string, string> },
  password: string | undefined,
): InspectedObject {
  const shape = labelShape(block.label, block.headers);
  const base: InspectedObject = { ...shape, label: block.label, span: block.span };
  if (!block.body) return { ...base, problem: block.problem ?? 'the PEM block could not be decoded' };
  const parsed = inspectPemBody(block, block.body, base, shape.encrypted, password);
  // A framing problem that some readers tolerate (BOM) comes first; the content is still described.
  if (!block.problem) return parsed;
  return make({ ...parsed, problem: parsed.problem ? `${block.problem}; also, ${parsed.problem}` : block.problem }, handles.get(parsed));
}

function inspectPemBody(
  block: { label: string; headers: Record<string, string> },
  der: Uint8Array,
  base: InspectedObject,
  encrypted: boolean,
  password: string | undefined,
): InspectedObject {
  switch (block.label) {
    case 'CERTIFICATE':
    case 'X509 CERTIFICATE':
      return certificateFromDer(der, base);
    case 'TRUSTED CERTIFICATE': {
      // OpenSSL's trusted form appends trust settings after the certificate.
      const top = classifyDer(der);
      return certificateFromDer(top.kind === 'certificate' ? der.subarray(0, certificateLength(der)) : der, base);
    }
    case 'RSA PRIVATE KEY':
    case 'EC PRIVATE KEY':
      if (encrypted) return legacyEncrypted(block.label, der, block.headers, base, password);
      return privateKeyFromDer(der, block.label === 'RSA PRIVATE KEY' ? 'pkcs1' : 'sec1', base);
    case 'PRIVATE KEY':
      return privateKeyFromDer(der, 'pkcs8', base);
    case 'ENCRYPTED PRIVATE KEY':
      return encryptedPkcs8(der, base, password);
    case 'PUBLIC KEY':
      return publicKeyFromDer(der, 'spki', base);
    case 'RSA PUBLIC KEY':
      return publicKeyFromDer(der, 'pkcs1', base);
    case 'OPENSSH PRIVATE KEY':
      return {
        ...base,
        problem: 'this is an OpenSSH private key; TLS servers and Harbor need a PEM key (convert with `ssh-keygen -p -m PEM -f FILE`)',
      };
    default:
      if (BENIGN_LABELS.has(block.label)) return base;
      return { ...base, problem: `unsupported PEM type "${block.label}"` };
  }
}

function certificateLength(der: Uint8Array): number {
  // classifyDer succeeded, so the outer header is well formed.
  const lenByte = der[1];
  if (lenByte < 0x80) return 2 + lenByte;
  const n = lenByte & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i];
  return 2 + n + len;
}

function legacyEncrypted(
  label: string,
  der: Uint8Array,
  headers: Record<string, string>,
  base: InspectedObject,
  password: string | undefined,
): InspectedObject {
  if (password === undefined) return { ...base, needsPassword: true };
  try {
    const k = createPrivateKey({ key: toPem(label, der, headers), format: 'pem', passphrase: password });
    return withPrivateKey(k, base);
  } catch (e) {
    if (isBadDecrypt(e)) return { ...base, problem: 'the password is wrong (the key could not be decrypted)' };
    return { ...base, problem: `the encrypted key cannot be read (${safeMessage(e)})` };
  }
}

/** Every PEM block in a text (including inline ones, which are reported as problems). */
export function inspectPem(text: string, options: InspectOptions = {}): InspectedObject[] {
  try {
    return scanPem(text, options).map((b) => {
      try {
        return inspectPemBlock(b, options.password);
      } catch (e) {
        return { kind: 'unknown', format: 'unknown', label: b.label, span: b.span, encrypted: false, problem: safeMessage(e) };
      }
    });
  } catch (e) {
    return [{ kind: 'unknown', format: 'unknown', encrypted: false, problem: `cannot scan the text (${safeMessage(e)})` }];
  }
}

// ---------------------------------------------------------------------------------------------
// Bytes: PEM, DER or PKCS#12

function containsAscii(bytes: Uint8Array, needle: string): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(needle, 0, 'latin1');
}

function inspectDer(der: Uint8Array, password: string | undefined): InspectedObject[] {
  const shape = classifyDer(der);
  const base = (kind: ObjectKind, derFormat?: InspectedObject['derFormat']): InspectedObject => ({
    kind,
    format: 'der',
    ...(derFormat ? { derFormat } : {}),
    encrypted: derFormat === 'pkcs8-encrypted',
  });
  if (shape.kind !== 'pkcs12' && shape.kind !== 'unknown' && shape.error) {
    return [{ ...base('unknown'), problem: `the DER data is damaged: ${shape.error}` }];
  }
  switch (shape.kind) {
    case 'certificate':
      return [certificateFromDer(der, base('certificate', 'x509'))];
    case 'pkcs8':
      return [privateKeyFromDer(der, 'pkcs8', base('private-key', 'pkcs8'))];
    case 'pkcs1-private':
      return [privateKeyFromDer(der, 'pkcs1', base('private-key', 'pkcs1'))];
    case 'sec1':
      return [privateKeyFromDer(der, 'sec1', base('private-key', 'sec1'))];
    case 'spki':
      return [publicKeyFromDer(der, 'spki', base('public-key', 'spki'))];
    case 'pkcs1-public':
      return [publicKeyFromDer(der, 'pkcs1', base('public-key', 'pkcs1'))];
    case 'pkcs8-encrypted':
      return [encryptedPkcs8(der, base('private-key', 'pkcs8-encrypted'), password)];
    case 'pkcs12':
      return inspectPkcs12(der, password);
    case 'pkcs7':
      return [{ ...base('unknown'), problem: 'this is a PKCS#7 bundle (.p7b); nginx and Harbor need PEM certificates (convert with `openssl pkcs7 -print_certs`)' }];
    default:
      return [{ ...base('unknown'), format: 'unknown', problem: shape.error ? `not a recognised key or certificate: ${shape.error}` : 'the DER data is not a key or certificate' }];
  }
}

const PKCS12_SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const PKCS12_KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const PKCS12_CERT_BAG = '1.2.840.113549.1.12.10.1.3';

function inspectPkcs12(der: Uint8Array, password: string | undefined): InspectedObject[] {
  const bundle = (extra: Partial<InspectedObject>): InspectedObject[] => [{ kind: 'unknown', format: 'pkcs12', encrypted: false, ...extra }];
  let forge: typeof import('node-forge');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    forge = require('node-forge') as typeof import('node-forge');
  } catch (e) {
    return bundle({ problem: `PKCS#12 support is unavailable (${safeMessage(e)})` });
  }
  let p12: import('node-forge').pkcs12.Pkcs12Pfx;
  try {
    const asn = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')), true);
    // OpenSSL treats "no password" as the empty password.
    p12 = forge.pkcs12.pkcs12FromAsn1(asn, true, password ?? '');
  } catch (e) {
    const msg = e instanceof Error ? e.message : '';
    if (/MAC could not be verified|Invalid password|wrong password|Unable to decrypt/i.test(msg)) {
      return password === undefined
        ? bundle({ encrypted: true, needsPassword: true })
        : bundle({ encrypted: true, problem: 'the PKCS#12 password is wrong (integrity check failed)' });
    }
    return bundle({ problem: `the PKCS#12 bundle cannot be read (${safeMessage(e)})` });
  }
  const out: InspectedObject[] = [];
  const protectedBundle = (password ?? '') !== '';
  for (const contents of p12.safeContents) {
    for (const bag of contents.safeBags) {
      const raw = bag as unknown as { asn1?: import('node-forge').asn1.Asn1 };
      const encrypted = protectedBundle && (contents.encrypted || bag.type === PKCS12_SHROUDED_KEY_BAG);
      try {
        if (bag.type === PKCS12_CERT_BAG) {
          const asn = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : raw.asn1;
          if (!asn) continue;
          const certDer = Buffer.from(forge.asn1.toDer(asn).getBytes(), 'binary');
          out.push(certificateFromDer(new Uint8Array(certDer), { kind: 'certificate', format: 'pkcs12', encrypted }));
        } else if (bag.type === PKCS12_SHROUDED_KEY_BAG || bag.type === PKCS12_KEY_BAG) {
          const asn = bag.key
            ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key as import('node-forge').pki.rsa.PrivateKey))
            : raw.asn1;
          if (!asn) continue;
          const keyDer = Buffer.from(forge.asn1.toDer(asn).getBytes(), 'binary');
          out.push(privateKeyFromDer(new Uint8Array(keyDer), 'pkcs8', { kind: 'private-key', format: 'pkcs12', encrypted }));
        }
      } catch (e) {
        out.push({ kind: 'unknown', format: 'pkcs12', encrypted, problem: `a PKCS#12 entry cannot be read (${safeMessage(e)})` });
      }
    }
  }
  if (out.length === 0) return bundle({ encrypted: protectedBundle, problem: 'the PKCS#12 bundle holds no key or certificate' });
  return out;
}

/**
 * PEM, DER or PKCS#12, recognised by content. PEM spans are offsets into the
 * bytes decoded as UTF-8 (a byte-order mark is kept, and reported).
 */
export function inspectBytes(bytes: Uint8Array, options: { password?: string; fileName?: string } = {}): InspectedObject[] {
  try {
    if (bytes.length === 0) return [{ kind: 'unknown', format: 'unknown', encrypted: false, problem: 'the file is empty' }];
    if (containsAscii(bytes, '-----BEGIN')) {
      const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
      return inspectPem(text, { password: options.password });
    }
    const isP12Name = /\.(p12|pfx)$/i.test(options.fileName ?? '');
    if (bytes[0] === 0x30) {
      const result = inspectDer(bytes, options.password);
      if (isP12Name && result.every((o) => o.format !== 'pkcs12') && result.every((o) => o.problem)) {
        return [{ kind: 'unknown', format: 'unknown', encrypted: false, problem: `this is not a PKCS#12 bundle: ${result[0].problem}` }];
      }
      return result;
    }
    const probe = bytes.subarray(0, 4096);
    const binary = probe.includes(0) || !isUtf8(probe);
    const problem = isP12Name
      ? 'this is not a PKCS#12 bundle (it does not start with an ASN.1 SEQUENCE)'
      : binary
        ? 'binary data that is neither DER nor PKCS#12'
        : 'no PEM block ("-----BEGIN …-----") found';
    return [{ kind: 'unknown', format: 'unknown', encrypted: false, problem }];
  } catch (e) {
    return [{ kind: 'unknown', format: 'unknown', encrypted: false, problem: safeMessage(e) }];
  }
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    // A cut multi-byte sequence at the probe's end is fine.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, Math.max(0, bytes.length - 3)));
    return true;
  } catch {
    return false;
  }
}
