/**
 * Key/certificate matching, chain order, the `keys compare` report, and the
 * PKCS#8 -> PKCS#1 conversion behind the HB-TOKEN-KEY-FORMAT fix.
 */
import { createPrivateKey, KeyObject, randomBytes, sign, verify, X509Certificate } from 'node:crypto';
import { handlesOf, inspectBytes, inspectPem, InspectedObject, KeyInfo, safeMessage } from './inspect';
import { scanPem } from './pem';

export type MatchVerdict = 'match' | 'mismatch' | 'unknown';

export interface MatchResult {
  /** True only for a proven match. False for a mismatch and when no verdict is possible: check `verdict`. */
  match: boolean;
  /** 'unknown' when a side is encrypted, unreadable or missing: never reported as a mismatch. */
  verdict: MatchVerdict;
  reason: string;
  /** 0-based index (among the certificates passed) of the certificate the key belongs to, if any. */
  certificateIndex?: number;
}

function describeKeyShort(k: KeyInfo | undefined): string {
  if (!k) return 'unknown key';
  switch (k.type) {
    case 'rsa':
      return `RSA ${k.bits ?? '?'}`;
    case 'rsa-pss':
      return `RSA-PSS ${k.bits ?? '?'}`;
    case 'ec':
      return `EC ${k.curve ?? '?'}`;
    case 'ed25519':
      return 'Ed25519';
    case 'ed448':
      return 'Ed448';
    default:
      return 'unsupported key type';
  }
}

function certName(c: InspectedObject, index: number): string {
  const subject = c.certificate?.subject;
  return `certificate #${index + 1}${subject ? ` (${subject})` : subject === '' ? ' (empty subject)' : ''}`;
}

function unknown(reason: string): MatchResult {
  return { match: false, verdict: 'unknown', reason };
}

/** Does the private key belong to the certificate? `cert` may be a chain: the first certificate is the leaf. */
export function matchKeyAndCertificate(key: InspectedObject, cert: InspectedObject | readonly InspectedObject[]): MatchResult {
  try {
    return matchInner(key, Array.isArray(cert) ? cert : [cert as InspectedObject]);
  } catch (e) {
    return unknown(`the comparison failed (${safeMessage(e)})`);
  }
}

function keysEqual(a: KeyObject, b: KeyObject): boolean {
  try {
    return a.equals(b);
  } catch {
    return false;
  }
}

function matchInner(key: InspectedObject, list: readonly InspectedObject[]): MatchResult {
  const certs = list.filter((c) => c.kind === 'certificate');
  if (key.kind !== 'private-key' && key.kind !== 'public-key') return unknown('the first argument is not a key');
  if (key.needsPassword) return unknown('the key is encrypted; without its password it cannot be compared');
  // A problem with a readable object (e.g. a BOM only Go rejects) still allows a verdict.
  if (key.problem && !key.key) return unknown(`the key cannot be read: ${key.problem}`);
  if (certs.length === 0) return unknown('no certificate to compare with');
  const leaf = certs[0];
  if (leaf.needsPassword) return unknown('the certificate is encrypted (PKCS#12); without its password it cannot be compared');
  if (leaf.problem && !leaf.key) return unknown(`the certificate cannot be read: ${leaf.problem}`);

  const kh = handlesOf(key);
  const belongs = (c: InspectedObject): boolean | undefined => {
    const ch = handlesOf(c);
    if (kh && ch?.cert) {
      if (kh.privateKey) return ch.cert.checkPrivateKey(kh.privateKey);
      if (kh.publicKey) return keysEqual(ch.cert.publicKey, kh.publicKey);
    }
    // Objects copied away from their handles: compare the public-key fingerprints.
    if (key.key?.keyId && c.key?.keyId) return key.key.keyId === c.key.keyId;
    return undefined;
  };

  const leafVerdict = belongs(leaf);
  if (leafVerdict === undefined) return unknown('the key or the certificate has no readable public key');
  if (leafVerdict) {
    const pop = kh?.privateKey && handlesOf(leaf)?.cert ? proofOfPossession(kh.privateKey, handlesOf(leaf)!.cert!) : 'ok';
    if (pop === 'failed') {
      return {
        match: false,
        verdict: 'mismatch',
        reason:
          'the key file is internally inconsistent: its embedded public key matches the certificate, but a signature made with the private key does not verify (corrupted or tampered key)',
        certificateIndex: 0,
      };
    }
    return { match: true, verdict: 'match', reason: `the key matches ${certName(leaf, 0)} (${describeKeyShort(leaf.key)}, key ID ${leaf.key?.keyId ?? '?'})`, certificateIndex: 0 };
  }
  for (let i = 1; i < certs.length; i++) {
    if (certs[i].key && belongs(certs[i])) {
      return {
        match: false,
        verdict: 'mismatch',
        reason: `the key does not match the first certificate but ${certName(certs[i], i)}; the leaf certificate must come first in the file`,
        certificateIndex: i,
      };
    }
  }
  const kt = describeKeyShort(key.key);
  const ct = describeKeyShort(leaf.key);
  const detail =
    key.key && leaf.key && key.key.type !== leaf.key.type
      ? `the key is ${kt} but ${certName(leaf, 0)} holds a ${ct} public key`
      : `the key (${kt}, key ID ${key.key?.keyId ?? '?'}) differs from the public key of ${certName(leaf, 0)} (${ct}, key ID ${leaf.key?.keyId ?? '?'})`;
  return { match: false, verdict: 'mismatch', reason: detail };
}

/** Signs a random challenge with the key and verifies it with the certificate: catches keys whose embedded public part was altered. */
function proofOfPossession(privateKey: KeyObject, cert: X509Certificate): 'ok' | 'failed' | 'skipped' {
  const t = privateKey.asymmetricKeyType;
  const algorithm = t === 'ed25519' || t === 'ed448' ? null : 'sha256';
  const data = randomBytes(32);
  let signature: Buffer;
  try {
    signature = sign(algorithm, data, privateKey);
  } catch {
    return 'skipped'; // e.g. RSA-PSS restricted to another digest: no evidence either way
  }
  try {
    return verify(algorithm, data, cert.publicKey, signature) ? 'ok' : 'failed';
  } catch {
    return 'skipped';
  }
}

/** Chain-order problems (leaf first, each certificate issued by the next). Empty when the order is right. */
export function chainOrderProblems(objects: readonly InspectedObject[]): string[] {
  const problems: string[] = [];
  const certs = objects.filter((o) => o.kind === 'certificate');
  certs.forEach((c, i) => {
    if (c.problem) problems.push(`${certName(c, i)} cannot be read: ${c.problem}`);
  });
  if (problems.length > 0) return problems;
  const x = certs.map((c) => handlesOf(c)?.cert);
  if (x.some((c) => !c)) return problems;
  const xs = x as X509Certificate[];
  const issued = (child: X509Certificate, parent: X509Certificate) => {
    try {
      return child.checkIssued(parent) && child.verify(parent.publicKey);
    } catch {
      return false;
    }
  };
  for (let i = 0; i + 1 < xs.length; i++) {
    if (issued(xs[i], xs[i + 1])) continue;
    if (issued(xs[i + 1], xs[i])) {
      problems.push(
        `${certName(certs[i], i)} issued ${certName(certs[i + 1], i + 1)}: the order is reversed; put the leaf (server) certificate first, then each issuer`,
      );
      continue;
    }
    const issuerAt = xs.findIndex((p, k) => k !== i && issued(xs[i], p));
    problems.push(
      issuerAt >= 0
        ? `${certName(certs[i], i)} is issued by ${certName(certs[issuerAt], issuerAt)}, which should come directly after it`
        : `${certName(certs[i], i)} is not issued by ${certName(certs[i + 1], i + 1)} (issuer "${certs[i].certificate?.issuer ?? ''}")`,
    );
  }
  return problems;
}

/**
 * PKCS#8 RSA ("BEGIN PRIVATE KEY") -> PKCS#1 ("BEGIN RSA PRIVATE KEY"), same key.
 * Null unless the text holds an unencrypted, well-formed RSA PKCS#8 key.
 * Keeps CRLF line endings when the input used them.
 */
export function toPkcs1RsaPem(privateKeyPem: string): string | null {
  try {
    const block = scanPem(privateKeyPem).find((b) => b.label === 'PRIVATE KEY');
    if (!block || !block.body || block.problem) return null;
    const key = createPrivateKey({ key: Buffer.from(block.body), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'rsa') return null;
    const pem = key.export({ type: 'pkcs1', format: 'pem' }).toString();
    const crlf = privateKeyPem.slice(block.span.start, block.span.end).includes('\r\n');
    return crlf ? pem.replace(/\n/g, '\r\n') : pem;
  } catch {
    return null;
  }
}

export interface CompareReport {
  /** null when no verdict is possible (encrypted or unreadable input). */
  match: boolean | null;
  verdict: MatchVerdict;
  reason: string;
  key: { type: string; bits?: number; curve?: string; keyId: string; thumbprint: string; format: string; encrypted: boolean } | null;
  certificate: {
    subject: string;
    sans: string[];
    notBefore: string;
    notAfter: string;
    keyId: string;
    thumbprint: string;
    /** Number of certificates in the file (a chain has more than one). */
    chainLength: number;
  } | null;
  /** Chain-order problems and unreadable blocks, as messages. */
  problems: string[];
}

export interface CompareInput {
  /** File content (PEM, DER or PKCS#12) or PEM text. */
  content: Uint8Array | string;
  fileName?: string;
  password?: string;
}

function inspectInput(input: CompareInput): InspectedObject[] {
  return typeof input.content === 'string'
    ? inspectPem(input.content, { password: input.password })
    : inspectBytes(input.content, { password: input.password, fileName: input.fileName });
}

/** The data behind `harbor-audit keys compare KEY CERT --json`. */
export function compareKeyAndCertificateReport(keyInput: CompareInput, certInput: CompareInput): CompareReport {
  const problems: string[] = [];
  const keyObjects = inspectInput(keyInput);
  const certObjects = inspectInput(certInput);
  const key = keyObjects.find((o) => o.kind === 'private-key') ?? keyObjects.find((o) => o.kind === 'public-key');
  const certs = certObjects.filter((o) => o.kind === 'certificate');
  for (const o of keyObjects) if (o.problem && o !== key) problems.push(`key file: ${o.problem}`);
  for (const o of certObjects) if (o.problem && o.kind !== 'certificate') problems.push(`certificate file: ${o.problem}`);
  problems.push(...chainOrderProblems(certs).map((p) => `certificate file: ${p}`));

  let result: MatchResult;
  if (!key) {
    const why = keyObjects.find((o) => o.problem)?.problem ?? (keyObjects.some((o) => o.needsPassword) ? 'it is encrypted and no password was given' : 'no private key found');
    result = unknown(`the key file holds no readable key: ${why}`);
  } else if (certs.length === 0) {
    const why = certObjects.find((o) => o.problem)?.problem ?? (certObjects.some((o) => o.needsPassword) ? 'it is encrypted and no password was given' : 'no certificate found');
    result = unknown(`the certificate file holds no readable certificate: ${why}`);
  } else {
    result = matchKeyAndCertificate(key, certs);
  }
  const leaf = certs[0];
  return {
    match: result.verdict === 'unknown' ? null : result.match,
    verdict: result.verdict,
    reason: result.reason,
    key: key
      ? {
          type: key.key?.type ?? 'unknown',
          ...(key.key?.bits !== undefined ? { bits: key.key.bits } : {}),
          ...(key.key?.curve ? { curve: key.key.curve } : {}),
          keyId: key.key?.keyId ?? '',
          thumbprint: key.key?.thumbprint ?? '',
          format: key.format === 'der' && key.derFormat ? key.derFormat : key.format,
          encrypted: key.encrypted,
        }
      : null,
    certificate:
      leaf && leaf.certificate
        ? {
            subject: leaf.certificate.subject,
            sans: leaf.certificate.sans,
            notBefore: leaf.certificate.notBefore.toISOString(),
            notAfter: leaf.certificate.notAfter.toISOString(),
            keyId: leaf.key?.keyId ?? '',
            thumbprint: leaf.key?.thumbprint ?? '',
            chainLength: certs.length,
          }
        : null,
    problems,
  };
}
