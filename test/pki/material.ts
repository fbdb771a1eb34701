/**
 * Test material generated with the openssl CLI into a temp dir, plus openssl's
 * own answer to "which public key is this?" for each file (the oracle).
 * Importing this module has no side effects.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PASSWORD = 'secret123';

export function opensslAvailable(): boolean {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return r.status === 0 && /OpenSSL|LibreSSL/.test(r.stdout);
}

export class Workdir {
  readonly dir = mkdtempSync(join(tmpdir(), 'harbor-audit-pki-'));
  path(name: string): string {
    return join(this.dir, name);
  }
  read(name: string): Buffer {
    return readFileSync(this.path(name));
  }
  text(name: string): string {
    return readFileSync(this.path(name), 'utf8');
  }
  write(name: string, data: string | Uint8Array): void {
    writeFileSync(this.path(name), data);
  }
  openssl(...args: string[]): Buffer {
    return execFileSync('openssl', args, { cwd: this.dir, stdio: ['pipe', 'pipe', 'pipe'] });
  }
  /** Runs openssl; null instead of throwing. */
  tryOpenssl(args: string[], input?: Uint8Array): Buffer | null {
    const r = spawnSync('openssl', args, { cwd: this.dir, input });
    return r.status === 0 ? r.stdout : null;
  }
  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface KeyFile {
  name: string;
  /** openssl -inform */
  inform: 'PEM' | 'DER';
  encrypted: boolean;
}

export interface CertFile {
  name: string;
  inform: 'PEM' | 'DER';
}

export interface Material {
  w: Workdir;
  keys: KeyFile[];
  certs: CertFile[];
}

/** Generates the key/cert matrix. Takes a few seconds (two RSA-4096 keys). */
export function generateMaterial(): Material {
  const w = new Workdir();
  const o = (...a: string[]) => w.openssl(...a);
  const selfSigned = (key: string, cn: string, out: string) =>
    o('req', '-new', '-x509', '-key', key, '-subj', `/CN=${cn}`, '-days', '30', '-out', out);

  // RSA
  for (const bits of [2048, 4096]) {
    o('genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', `rsa${bits}.pkcs8.key`);
    o('rsa', '-in', `rsa${bits}.pkcs8.key`, '-traditional', '-out', `rsa${bits}.pkcs1.key`);
    selfSigned(`rsa${bits}.pkcs8.key`, `rsa${bits}`, `rsa${bits}.crt`);
  }
  o('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa2048b.key');
  // EC
  for (const [name, curve] of [['ecp256', 'prime256v1'], ['ecp384', 'secp384r1']]) {
    o('ecparam', '-name', curve, '-genkey', '-noout', '-out', `${name}.sec1.key`);
    o('pkey', '-in', `${name}.sec1.key`, '-out', `${name}.pkcs8.key`);
    o('ec', '-in', `${name}.sec1.key`, '-conv_form', 'compressed', '-out', `${name}.compressed.sec1.key`);
    selfSigned(`${name}.sec1.key`, name, `${name}.crt`);
    // Same key, certificate with a compressed point.
    selfSigned(`${name}.compressed.sec1.key`, `${name}-compressed`, `${name}.compressed.crt`);
  }
  o('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ecp256b.key');
  // Ed25519, RSA-PSS
  o('genpkey', '-algorithm', 'ed25519', '-out', 'ed25519.key');
  selfSigned('ed25519.key', 'ed25519', 'ed25519.crt');
  o('genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsapss.key');
  selfSigned('rsapss.key', 'rsapss', 'rsapss.crt');
  // Encrypted keys
  o('pkey', '-in', 'rsa2048.pkcs8.key', '-aes256', '-passout', `pass:${PASSWORD}`, '-out', 'rsa2048.enc-pkcs8.key');
  o('rsa', '-in', 'rsa2048.pkcs8.key', '-traditional', '-aes256', '-passout', `pass:${PASSWORD}`, '-out', 'rsa2048.enc-legacy.key');
  o('ec', '-in', 'ecp256.sec1.key', '-aes256', '-passout', `pass:${PASSWORD}`, '-out', 'ecp256.enc-legacy.key');
  o('pkey', '-in', 'ecp256.sec1.key', '-aes256', '-passout', `pass:${PASSWORD}`, '-out', 'ecp256.enc-pkcs8.key');
  // Chain: CA (RSA) -> leaf (EC P-256) with SANs
  o('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'ca.key');
  o('req', '-new', '-x509', '-key', 'ca.key', '-subj', '/CN=Test CA', '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.crt');
  o('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'leaf.key');
  o('req', '-new', '-key', 'leaf.key', '-subj', '/CN=harbor.example.com', '-out', 'leaf.csr');
  w.write('leaf.ext', 'subjectAltName=DNS:harbor.example.com,DNS:*.harbor.example.com,IP:10.0.0.1\n');
  o('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-extfile', 'leaf.ext', '-out', 'leaf.crt');
  w.write('chain.crt', Buffer.concat([w.read('leaf.crt'), w.read('ca.crt')]));
  w.write('chain-reversed.crt', Buffer.concat([w.read('ca.crt'), w.read('leaf.crt')]));
  // DER
  o('x509', '-in', 'rsa2048.crt', '-outform', 'DER', '-out', 'rsa2048.der.crt');
  o('x509', '-in', 'ecp256.crt', '-outform', 'DER', '-out', 'ecp256.der.crt');
  // (`openssl pkey -outform DER` writes the traditional form in OpenSSL 3; pkcs8 -topk8 writes PKCS#8.)
  o('pkcs8', '-topk8', '-nocrypt', '-in', 'rsa2048.pkcs8.key', '-outform', 'DER', '-out', 'rsa2048.pkcs8.der.key');
  o('rsa', '-in', 'rsa2048.pkcs8.key', '-traditional', '-outform', 'DER', '-out', 'rsa2048.pkcs1.der.key');
  o('ec', '-in', 'ecp256.sec1.key', '-outform', 'DER', '-out', 'ecp256.sec1.der.key');
  o('pkcs8', '-topk8', '-nocrypt', '-in', 'ecp256.sec1.key', '-outform', 'DER', '-out', 'ecp256.pkcs8.der.key');
  // CRLF
  for (const f of ['rsa2048.pkcs1.key', 'ecp256.sec1.key', 'rsa2048.crt', 'chain.crt']) {
    w.write(f.replace(/\.(key|crt)$/, '.crlf.$1'), w.text(f).replace(/\n/g, '\r\n'));
  }

  const keys: KeyFile[] = [
    ...['rsa2048.pkcs1.key', 'rsa2048.pkcs8.key', 'rsa4096.pkcs1.key', 'rsa4096.pkcs8.key', 'rsa2048b.key'],
    ...['ecp256.sec1.key', 'ecp256.pkcs8.key', 'ecp256.compressed.sec1.key', 'ecp384.sec1.key', 'ecp384.pkcs8.key'],
    ...['ecp384.compressed.sec1.key', 'ecp256b.key', 'ed25519.key', 'rsapss.key', 'leaf.key', 'ca.key'],
    ...['rsa2048.pkcs1.crlf.key', 'ecp256.sec1.crlf.key'],
  ].map((name) => ({ name, inform: 'PEM' as const, encrypted: false }));
  keys.push(
    ...['rsa2048.pkcs8.der.key', 'rsa2048.pkcs1.der.key', 'ecp256.sec1.der.key', 'ecp256.pkcs8.der.key'].map((name) => ({ name, inform: 'DER' as const, encrypted: false })),
    ...['rsa2048.enc-pkcs8.key', 'rsa2048.enc-legacy.key', 'ecp256.enc-legacy.key', 'ecp256.enc-pkcs8.key'].map((name) => ({ name, inform: 'PEM' as const, encrypted: true })),
  );
  const certs: CertFile[] = [
    ...['rsa2048.crt', 'rsa4096.crt', 'ecp256.crt', 'ecp256.compressed.crt', 'ecp384.crt', 'ecp384.compressed.crt'],
    ...['ed25519.crt', 'rsapss.crt', 'ca.crt', 'leaf.crt', 'chain.crt', 'chain-reversed.crt', 'rsa2048.crlf.crt', 'chain.crlf.crt'],
  ].map((name) => ({ name, inform: 'PEM' as const }));
  certs.push(...['rsa2048.der.crt', 'ecp256.der.crt'].map((name) => ({ name, inform: 'DER' as const })));
  return { w, keys, certs };
}

const EC_NORMALIZE = ['-ec_conv_form', 'uncompressed', '-ec_param_enc', 'named_curve'];

/**
 * openssl's public key for a file, as DER hex. `normalized` re-encodes EC
 * points uncompressed with a named curve (otherwise the same key encoded
 * compressed compares unequal); without it, this is the textbook comparison.
 */
export function opensslPublicKey(w: Workdir, file: { name: string; inform: string }, what: 'key' | 'cert', normalized: boolean, password?: string): string | null {
  let pem: Buffer | null;
  if (what === 'cert') {
    pem = w.tryOpenssl(['x509', '-in', file.name, '-inform', file.inform, '-noout', '-pubkey']);
  } else {
    pem = w.tryOpenssl(['pkey', '-in', file.name, '-inform', file.inform, '-pubout', ...(password ? ['-passin', `pass:${password}`] : ['-passin', 'pass:'])]);
  }
  if (!pem) return null;
  const der = normalized
    ? (w.tryOpenssl(['pkey', '-pubin', '-outform', 'DER', ...EC_NORMALIZE], pem) ?? w.tryOpenssl(['pkey', '-pubin', '-outform', 'DER'], pem))
    : w.tryOpenssl(['pkey', '-pubin', '-outform', 'DER'], pem);
  return der ? der.toString('hex') : null;
}

/** libtrust key ID computed by the openssl CLI and coreutils: SHA-256 of the uncompressed SPKI, first 30 bytes, base32. */
export function opensslLibtrustKeyId(w: Workdir, spkiHex: string): string | null {
  const digest = w.tryOpenssl(['dgst', '-sha256', '-binary'], Buffer.from(spkiHex, 'hex'));
  if (!digest) throw new Error('openssl dgst failed');
  const r = spawnSync('base32', ['-w', '0'], { input: digest.subarray(0, 30) });
  if (r.status !== 0) return null; // coreutils base32 missing
  const b32 = r.stdout.toString().replace(/=+$/, '');
  return (b32.match(/.{4}/g) ?? []).join(':');
}
