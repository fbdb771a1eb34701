/** PKCS#12 bundles, damaged certificates, and the PKCS#8 -> PKCS#1 safe fix. */
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { inspectBytes, inspectPem, matchKeyAndCertificate, scanPem, toPkcs1RsaPem } from '../../server/src/core/pki';
import { opensslAvailable, Workdir } from './material';

const skip = opensslAvailable() ? false : 'openssl CLI not found';

describe('PKCS#12 (generated with openssl)', { skip }, () => {
  if (skip) return;
  const w = new Workdir();
  after(() => w.cleanup());
  const o = (...a: string[]) => w.openssl(...a);
  o('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa.key', '-out', 'rsa.crt', '-subj', '/CN=rsa', '-days', '5');
  o('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ec.key', '-out', 'ec.crt', '-subj', '/CN=ec', '-days', '5');
  o('pkcs12', '-export', '-in', 'rsa.crt', '-inkey', 'rsa.key', '-out', 'rsa-pw.p12', '-passout', 'pass:p12secret');
  o('pkcs12', '-export', '-in', 'rsa.crt', '-inkey', 'rsa.key', '-out', 'rsa-nopw.p12', '-passout', 'pass:');
  o('pkcs12', '-export', '-in', 'ec.crt', '-inkey', 'ec.key', '-out', 'ec-pw.p12', '-passout', 'pass:p12secret');
  o('pkcs12', '-export', '-in', 'ec.crt', '-inkey', 'ec.key', '-out', 'ec-plain.p12', '-keypbe', 'NONE', '-certpbe', 'NONE', '-nomac', '-passout', 'pass:');
  const fingerprint = (crt: string) => w.openssl('x509', '-in', crt, '-noout', '-fingerprint', '-sha256').toString().trim().replace(/^.*=/, '');

  for (const [file, crt, password] of [
    ['rsa-pw.p12', 'rsa.crt', 'p12secret'],
    ['rsa-nopw.p12', 'rsa.crt', undefined],
    ['ec-pw.p12', 'ec.crt', 'p12secret'],
    ['ec-plain.p12', 'ec.crt', undefined],
  ] as const) {
    it(`${file}: key and certificate are read, match, and the certificate bytes are intact`, () => {
      const objects = inspectBytes(w.read(file), { password, fileName: file });
      const key = objects.find((x) => x.kind === 'private-key');
      const cert = objects.find((x) => x.kind === 'certificate');
      assert.ok(key && cert, JSON.stringify(objects));
      assert.deepEqual([key.format, cert.format, key.problem, cert.problem], ['pkcs12', 'pkcs12', undefined, undefined]);
      assert.equal(key.encrypted, password !== undefined);
      assert.equal(cert.certificate?.fingerprint256, fingerprint(crt));
      assert.equal(cert.certificate?.selfSigned, true);
      assert.equal(matchKeyAndCertificate(key, cert).verdict, 'match');
      // Same key as the PEM file.
      assert.equal(key.key?.keyId, inspectBytes(w.read(crt))[0].key?.keyId);
      const other = inspectBytes(w.read(crt === 'rsa.crt' ? 'ec.crt' : 'rsa.crt'));
      assert.equal(matchKeyAndCertificate(key, other).verdict, 'mismatch');
    });
  }

  it('a password-protected bundle without a password: encrypted, needs a password, no problem', () => {
    for (const file of ['rsa-pw.p12', 'ec-pw.p12']) {
      const objects = inspectBytes(w.read(file), { fileName: file });
      assert.deepEqual(objects, [{ kind: 'unknown', format: 'pkcs12', encrypted: true, needsPassword: true }]);
      const r = matchKeyAndCertificate(objects[0], inspectBytes(w.read('rsa.crt')));
      assert.equal(r.verdict, 'unknown');
    }
  });

  it('a wrong password is a problem that does not echo the password', () => {
    const [x] = inspectBytes(w.read('rsa-pw.p12'), { password: 'WrongPass987' });
    assert.match(x.problem ?? '', /PKCS#12 password is wrong/);
    assert.ok(!JSON.stringify(x).includes('WrongPass987'));
  });

  it('a file named .p12 that is not PKCS#12', () => {
    assert.match(inspectBytes(Buffer.from('hello'), { fileName: 'x.pfx' })[0].problem ?? '', /not a PKCS#12 bundle/);
    const der = w.openssl('x509', '-in', 'rsa.crt', '-outform', 'DER');
    const [cert] = inspectBytes(der, { fileName: 'x.p12' });
    assert.equal(cert.kind, 'certificate'); // content wins over the name
  });

  it('a truncated PKCS#12 bundle', () => {
    const bytes = w.read('rsa-nopw.p12');
    const [x] = inspectBytes(bytes.subarray(0, bytes.length - 40), { fileName: 'x.p12' });
    assert.ok(x.problem, JSON.stringify(x));
  });

  describe('damaged certificates', () => {
    const der = w.openssl('x509', '-in', 'rsa.crt', '-outform', 'DER');
    const pem = (d: Uint8Array) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(d).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
    const opensslReads = (text: string) => {
      w.write('damaged.crt', text);
      return w.tryOpenssl(['x509', '-in', 'damaged.crt', '-noout']) !== null;
    };
    it('an inner length that overruns its parent is explained at the ASN.1 level (node-forge)', () => {
      const d = Buffer.from(der);
      // The TBSCertificate header sits at offset 4 (30 82 LL LL); grow its length by one.
      assert.equal(d[4], 0x30);
      d.writeUInt16BE(d.readUInt16BE(6) + 1, 6);
      const [c] = inspectPem(pem(d));
      assert.match(c.problem ?? '', /certificate is (not valid DER|damaged)/);
      assert.equal(opensslReads(pem(d)), false);
    });
    it('a nested length error (inside the TBSCertificate) gets node-forge\'s ASN.1 explanation', () => {
      const d = Buffer.from(der);
      // 30 82 .. .. | 30 82 .. .. | a0 03 02 01 02: the [0] version wrapper; claim 4 content bytes instead of 3.
      assert.deepEqual([d[8], d[9]], [0xa0, 0x03]);
      d[9] = 0x04;
      const [c] = inspectPem(pem(d));
      assert.match(c.problem ?? '', /^the certificate is not valid DER \(Too few bytes/);
      assert.equal(opensslReads(pem(d)), false);
    });
    it('a wrong outer length', () => {
      const d = Buffer.from(der);
      d.writeUInt16BE(d.readUInt16BE(2) - 1, 2);
      const [c] = inspectPem(pem(d));
      assert.ok(c.problem);
      assert.equal(opensslReads(pem(d)), false);
    });
    it('a flipped subject byte still parses, but the self-signature no longer verifies', () => {
      const d = Buffer.from(der);
      const at = d.indexOf(Buffer.from('rsa'), 100); // the subject CN (after the issuer CN)
      d[at] = 'x'.charCodeAt(0);
      const [c] = inspectPem(pem(d));
      assert.equal(c.problem, undefined);
      assert.equal(c.certificate?.selfSigned, false);
      assert.equal(opensslReads(pem(d)), true);
    });
    it('a certificate body under a key label, and a key under a certificate label', () => {
      const [c] = inspectPem(pem(der).replace(/CERTIFICATE/g, 'PRIVATE KEY'));
      assert.match(c.problem ?? '', /contains an X.509 certificate, not a PKCS#8 private key/);
      const keyDer = createPrivateKey(w.read('rsa.key')).export({ type: 'pkcs8', format: 'der' });
      const [k] = inspectPem(pem(keyDer));
      assert.match(k.problem ?? '', /contains a PKCS#8 private key .*, not an X.509 certificate/);
    });
  });
});

describe('toPkcs1RsaPem (HB-TOKEN-KEY-FORMAT safe fix)', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it('converts PKCS#8 RSA to PKCS#1, same key', () => {
    const out = toPkcs1RsaPem(pkcs8);
    assert.ok(out);
    const [block] = scanPem(out);
    assert.deepEqual([block.label, block.problem], ['RSA PRIVATE KEY', undefined]);
    const [o] = inspectPem(out);
    assert.deepEqual([o.format, o.key?.type, o.key?.bits], ['pkcs1', 'rsa', 2048]);
    const converted = createPrivateKey(out);
    assert.ok(converted.equals(privateKey));
    assert.deepEqual(converted.export({ format: 'jwk' }), privateKey.export({ format: 'jwk' }));
    assert.equal(o.key?.keyId, inspectPem(pkcs8)[0].key?.keyId);
  });

  it('round trip through openssl: it reads the result as a traditional RSA key', { skip }, () => {
    const w = new Workdir();
    try {
      w.write('k.pem', toPkcs1RsaPem(pkcs8)!);
      assert.ok(w.tryOpenssl(['rsa', '-in', 'k.pem', '-check', '-noout']));
      const back = w.tryOpenssl(['pkcs8', '-topk8', '-nocrypt', '-in', 'k.pem']);
      assert.equal(back?.toString(), pkcs8);
    } finally {
      w.cleanup();
    }
  });

  it('keeps CRLF line endings and finds the key among other text', () => {
    const out = toPkcs1RsaPem(`tokenKey:\r\n${pkcs8.replace(/\n/g, '\r\n')}`);
    assert.ok(out?.startsWith('-----BEGIN RSA PRIVATE KEY-----\r\n'));
    assert.ok(!/[^\r]\n/.test(out!));
  });

  it('returns null for anything else', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
    const cases = [
      privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), // already PKCS#1
      ec.export({ type: 'pkcs8', format: 'pem' }).toString(),
      pss.export({ type: 'pkcs8', format: 'pem' }).toString(),
      privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }).toString(),
      pkcs8.replace(/^/gm, '  '), // indented
      pkcs8.split('\n').filter((_, i) => i !== 3).join('\n'), // a body line lost: broken DER
      '',
      'not a key',
    ];
    cases.forEach((c, i) => assert.equal(toPkcs1RsaPem(c), null, `case ${i}`));
  });
});
