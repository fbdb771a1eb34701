/**
 * Key x certificate matrix generated with the openssl CLI. For every pair our
 * verdict must equal openssl's: the public key of `openssl pkey -pubout` vs
 * `openssl x509 -pubkey`, both re-encoded with `openssl pkey -pubin -outform DER`
 * (EC points normalised to uncompressed, named curve; see crypto.md §2).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  chainOrderProblems,
  compareKeyAndCertificateReport,
  inspectBytes,
  InspectedObject,
  matchKeyAndCertificate,
} from '../../server/src/core/pki';
import { readTlv, children } from '../../server/src/core/pki/der';
import { generateMaterial, Material, opensslAvailable, opensslLibtrustKeyId, opensslPublicKey, PASSWORD } from './material';

const skip = opensslAvailable() ? false : 'openssl CLI not found; skipping the generated matrix';

function firstKey(objects: InspectedObject[]): InspectedObject {
  const k = objects.find((o) => o.kind === 'private-key');
  assert.ok(k, `no private key in ${JSON.stringify(objects)}`);
  return k;
}

function certsOf(objects: InspectedObject[]): InspectedObject[] {
  const c = objects.filter((o) => o.kind === 'certificate');
  assert.ok(c.length > 0, `no certificate in ${JSON.stringify(objects)}`);
  return c;
}

describe('key x certificate matrix (openssl oracle)', { skip }, () => {
  if (skip) return;
  const m: Material = generateMaterial();
  const { w } = m;
  after(() => w.cleanup());

  // openssl's view of every file, computed once.
  const keyPub = new Map<string, string | null>();
  const keyPubTextbook = new Map<string, string | null>();
  for (const k of m.keys) {
    keyPub.set(k.name, opensslPublicKey(w, k, 'key', true, k.encrypted ? PASSWORD : undefined));
    keyPubTextbook.set(k.name, opensslPublicKey(w, k, 'key', false, k.encrypted ? PASSWORD : undefined));
  }
  const certPub = new Map<string, string | null>();
  const certPubTextbook = new Map<string, string | null>();
  for (const c of m.certs) {
    certPub.set(c.name, opensslPublicKey(w, c, 'cert', true));
    certPubTextbook.set(c.name, opensslPublicKey(w, c, 'cert', false));
  }

  it('openssl read every generated file (the oracle is not vacuous)', () => {
    for (const [name, v] of [...keyPub, ...certPub]) assert.ok(v, `openssl could not read ${name}`);
  });

  const textbookDisagreements: string[] = [];
  let matches = 0;
  let pairs = 0;

  for (const k of m.keys) {
    describe(`key ${k.name}`, () => {
      const keyObjects = inspectBytes(w.read(k.name), { password: k.encrypted ? PASSWORD : undefined, fileName: k.name });
      for (const c of m.certs) {
        it(`vs ${c.name}`, () => {
          const key = firstKey(keyObjects);
          assert.equal(key.problem, undefined, key.problem);
          const certs = certsOf(inspectBytes(w.read(c.name), { fileName: c.name }));
          const ours = matchKeyAndCertificate(key, certs);
          const expected = keyPub.get(k.name) === certPub.get(c.name);
          assert.notEqual(ours.verdict, 'unknown', ours.reason);
          assert.equal(ours.match, expected, `ours: ${ours.reason}; openssl: ${expected ? 'MATCH' : 'MISMATCH'}`);
          assert.equal(ours.verdict, expected ? 'match' : 'mismatch');
          pairs++;
          if (expected) matches++;
          const textbook = keyPubTextbook.get(k.name) === certPubTextbook.get(c.name);
          if (textbook !== expected) textbookDisagreements.push(`${k.name} x ${c.name}`);
        });
      }
    });
  }

  it('the matrix has both verdicts, and the textbook comparison only errs on compressed points', () => {
    assert.ok(pairs >= 300, `only ${pairs} pairs ran`);
    assert.ok(matches >= 25, `only ${matches} matching pairs`);
    assert.ok(pairs - matches >= 250);
    assert.ok(textbookDisagreements.length > 0, 'expected the textbook comparison to fail on compressed-point files');
    for (const d of textbookDisagreements) assert.match(d, /compressed/, d);
  });

  describe('encrypted keys without a password', () => {
    for (const k of m.keys.filter((f) => f.encrypted)) {
      it(`${k.name}: encrypted, never a mismatch`, () => {
        const objects = inspectBytes(w.read(k.name));
        assert.equal(objects.length, 1);
        const key = objects[0];
        assert.equal(key.kind, 'private-key');
        assert.equal(key.encrypted, true);
        assert.equal(key.needsPassword, true);
        assert.equal(key.problem, undefined);
        assert.equal(key.format, k.name.includes('legacy') ? 'legacy-encrypted' : 'pkcs8-encrypted');
        for (const c of m.certs) {
          const r = matchKeyAndCertificate(key, certsOf(inspectBytes(w.read(c.name))));
          assert.equal(r.verdict, 'unknown', `${c.name}: ${r.reason}`);
          assert.equal(r.match, false);
          assert.match(r.reason, /encrypted/);
        }
      });
      it(`${k.name}: a wrong password is a problem that does not echo the password`, () => {
        const [key] = inspectBytes(w.read(k.name), { password: 'not-the-password-42' });
        assert.match(key.problem ?? '', /password is wrong/);
        assert.ok(!JSON.stringify(key).includes('not-the-password-42'));
      });
    }
  });

  it('key IDs equal an independent openssl + coreutils computation, for keys and certificates', (t) => {
    let checked = 0;
    for (const k of m.keys) {
      const [key] = inspectBytes(w.read(k.name), { password: k.encrypted ? PASSWORD : undefined });
      const expected = opensslLibtrustKeyId(w, keyPub.get(k.name)!);
      if (expected === null) return t.skip('coreutils base32 not found');
      assert.equal(key.key?.keyId, expected, k.name);
      checked++;
    }
    for (const c of m.certs) {
      const [cert] = inspectBytes(w.read(c.name));
      assert.equal(cert.key?.keyId, opensslLibtrustKeyId(w, certPub.get(c.name)!), c.name);
      checked++;
    }
    assert.equal(checked, m.keys.length + m.certs.length);
  });

  it('key details', () => {
    const info = (name: string) => firstKey(inspectBytes(w.read(name))).key;
    assert.deepEqual([info('rsa2048.pkcs1.key')?.type, info('rsa2048.pkcs1.key')?.bits], ['rsa', 2048]);
    assert.deepEqual([info('rsa4096.pkcs8.key')?.type, info('rsa4096.pkcs8.key')?.bits], ['rsa', 4096]);
    assert.deepEqual([info('ecp256.compressed.sec1.key')?.curve, info('ecp256.compressed.sec1.key')?.bits], ['P-256', 256]);
    assert.equal(info('ecp384.pkcs8.key')?.curve, 'P-384');
    assert.equal(info('ed25519.key')?.type, 'ed25519');
    assert.equal(info('ed25519.key')?.libtrustSupported, false);
    assert.equal(info('rsapss.key')?.type, 'rsa-pss');
    assert.match(info('rsapss.key')?.thumbprint ?? '', /^[A-Za-z0-9_-]{43}$/);
    const formats = ['rsa2048.pkcs1.key', 'rsa2048.pkcs8.key', 'ecp256.sec1.key', 'rsa2048.pkcs8.der.key', 'ecp256.sec1.der.key'].map((n) => {
      const o = firstKey(inspectBytes(w.read(n)));
      return `${o.format}/${o.derFormat ?? '-'}`;
    });
    assert.deepEqual(formats, ['pkcs1/-', 'pkcs8/-', 'sec1/-', 'der/pkcs8', 'der/sec1']);
    assert.equal(firstKey(inspectBytes(w.read('ecp256.pkcs8.der.key'))).derFormat, 'pkcs8');
    assert.equal(firstKey(inspectBytes(w.read('rsa2048.pkcs1.der.key'))).derFormat, 'pkcs1');
    assert.equal(info('ecp256.compressed.sec1.key')?.compressedPoint, true);
    assert.equal(info('ecp256.sec1.key')?.compressedPoint, undefined);
    assert.equal(inspectBytes(w.read('ecp256.compressed.crt'))[0].key?.compressedPoint, true);
    // Same key, different encodings: same IDs.
    assert.equal(info('ecp256.compressed.sec1.key')?.thumbprint, info('ecp256.pkcs8.key')?.thumbprint);
    const [crlf] = inspectBytes(w.read('rsa2048.crlf.crt'));
    const [lf] = inspectBytes(w.read('rsa2048.crt'));
    assert.deepEqual([crlf.kind, crlf.problem, crlf.certificate?.fingerprint256], ['certificate', undefined, lf.certificate?.fingerprint256]);
    assert.equal(crlf.span?.end, w.text('rsa2048.crlf.crt').trimEnd().length);
  });

  it('certificate details: SANs, issuer, self-signed, CA, validity', () => {
    const [leaf] = inspectBytes(w.read('leaf.crt'));
    const [ca] = inspectBytes(w.read('ca.crt'));
    assert.deepEqual(leaf.certificate?.sans, ['harbor.example.com', '*.harbor.example.com', '10.0.0.1']);
    assert.equal(leaf.certificate?.subject, 'CN=harbor.example.com');
    assert.equal(leaf.certificate?.issuer, 'CN=Test CA');
    assert.equal(leaf.certificate?.selfSigned, false);
    assert.equal(leaf.certificate?.isCA, false);
    assert.equal(ca.certificate?.selfSigned, true);
    assert.equal(ca.certificate?.isCA, true);
    const days = (leaf.certificate!.notAfter.getTime() - leaf.certificate!.notBefore.getTime()) / 86_400_000;
    assert.ok(Math.abs(days - 30) < 1.01, String(days));
    const serial = w.openssl('x509', '-in', 'leaf.crt', '-noout', '-serial').toString().trim().replace(/^serial=/, '');
    assert.equal(leaf.certificate?.serial, serial);
  });

  it('chains: the leaf is matched, a reversed chain is reported with the right index', () => {
    const leafKey = firstKey(inspectBytes(w.read('leaf.key')));
    const ok = matchKeyAndCertificate(leafKey, certsOf(inspectBytes(w.read('chain.crt'))));
    assert.deepEqual([ok.verdict, ok.certificateIndex], ['match', 0]);
    const reversed = matchKeyAndCertificate(leafKey, certsOf(inspectBytes(w.read('chain-reversed.crt'))));
    assert.deepEqual([reversed.verdict, reversed.certificateIndex], ['mismatch', 1]);
    assert.match(reversed.reason, /leaf certificate must come first/);
    assert.deepEqual(chainOrderProblems(inspectBytes(w.read('chain.crt'))), []);
    assert.deepEqual(chainOrderProblems(inspectBytes(w.read('chain.crlf.crt'))), []);
    const problems = chainOrderProblems(inspectBytes(w.read('chain-reversed.crt')));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /reversed/);
    const unrelated = chainOrderProblems([...inspectBytes(w.read('leaf.crt')), ...inspectBytes(w.read('rsa2048.crt'))]);
    assert.equal(unrelated.length, 1);
    assert.match(unrelated[0], /is not issued by certificate #2/);
    // openssl agrees on the order.
    assert.ok(w.tryOpenssl(['verify', '-CAfile', 'ca.crt', 'leaf.crt']));
  });

  it('a key with a tampered embedded public key is a mismatch (openssl pubkey comparison says match)', () => {
    // SEC1 key A with the public point of key B: every public-key comparison trusts the embedded point.
    const a = w.read('ecp256.sec1.der.key');
    const bPoint = publicPoint(w.openssl('ec', '-in', 'ecp256b.key', '-outform', 'DER'));
    const aPoint = publicPoint(a);
    const tampered = Buffer.from(a);
    tampered.set(bPoint, a.indexOf(aPoint));
    w.write('tampered.der.key', tampered);
    w.openssl('req', '-new', '-x509', '-key', 'ecp256b.key', '-subj', '/CN=b', '-days', '1', '-out', 'ecp256b.crt');
    const opensslSays = opensslPublicKey(w, { name: 'tampered.der.key', inform: 'DER' }, 'key', true) === opensslPublicKey(w, { name: 'ecp256b.crt', inform: 'PEM' }, 'cert', true);
    assert.equal(opensslSays, true, 'openssl pubkey comparison is expected to be fooled');
    const r = matchKeyAndCertificate(firstKey(inspectBytes(tampered)), certsOf(inspectBytes(w.read('ecp256b.crt'))));
    assert.equal(r.verdict, 'mismatch', r.reason);
    assert.match(r.reason, /internally inconsistent/);
  });

  it('compare report (keys compare --json)', () => {
    const report = compareKeyAndCertificateReport({ content: w.read('leaf.key') }, { content: w.read('chain.crt') });
    assert.deepEqual(Object.keys(report).sort(), ['certificate', 'key', 'match', 'problems', 'reason', 'verdict']);
    assert.equal(report.match, true);
    assert.deepEqual(report.key && { type: report.key.type, bits: report.key.bits, curve: report.key.curve }, { type: 'ec', bits: 256, curve: 'P-256' });
    assert.equal(report.certificate?.subject, 'CN=harbor.example.com');
    assert.equal(report.certificate?.keyId, report.key?.keyId);
    assert.equal(report.certificate?.thumbprint, report.key?.thumbprint);
    assert.equal(report.certificate?.chainLength, 2);
    assert.match(report.certificate?.notAfter ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(report.problems, []);

    const reversed = compareKeyAndCertificateReport({ content: w.read('leaf.key') }, { content: w.read('chain-reversed.crt') });
    assert.equal(reversed.match, false);
    assert.equal(reversed.problems.length, 1);

    const enc = compareKeyAndCertificateReport({ content: w.read('rsa2048.enc-pkcs8.key') }, { content: w.read('rsa2048.crt') });
    assert.deepEqual([enc.match, enc.verdict, enc.key?.encrypted], [null, 'unknown', true]);
    const encOk = compareKeyAndCertificateReport({ content: w.read('rsa2048.enc-pkcs8.key'), password: PASSWORD }, { content: w.read('rsa2048.crt') });
    assert.equal(encOk.match, true);

    const wrong = compareKeyAndCertificateReport({ content: w.read('ecp256.sec1.key') }, { content: w.read('rsa2048.crt') });
    assert.equal(wrong.match, false);
    assert.match(wrong.reason, /the key is EC P-256 but certificate #1 \(CN=rsa2048\) holds a RSA 2048 public key/);

    const text = compareKeyAndCertificateReport({ content: w.text('rsa2048.pkcs1.key') }, { content: 'no pem here' });
    assert.equal(text.match, null);
    assert.match(text.reason, /no readable certificate/);
  });

  it('secrets stay secret: no output contains key material or the password', () => {
    const outputs: unknown[] = [];
    for (const k of m.keys) {
      const objs = inspectBytes(w.read(k.name), { password: k.encrypted ? PASSWORD : undefined });
      outputs.push(objs, inspectBytes(w.read(k.name), { password: 'wrong' }));
      for (const c of ['rsa2048.crt', 'ecp256.crt', 'chain-reversed.crt']) {
        outputs.push(matchKeyAndCertificate(firstKey(objs), certsOf(inspectBytes(w.read(c)))));
      }
      outputs.push(compareKeyAndCertificateReport({ content: w.read(k.name), password: k.encrypted ? PASSWORD : undefined }, { content: w.read('rsa2048.crt') }));
    }
    const all = JSON.stringify(outputs);
    assert.ok(!all.includes(PASSWORD));
    for (const k of m.keys) {
      const raw = w.read(k.name);
      const b64 = k.inform === 'DER' ? raw.toString('base64') : w.text(k.name).replace(/-----[^-]+-----|[\r\n]|^[A-Za-z-]+:.*$/gm, '');
      for (let i = 0; i + 24 <= b64.length; i += 24) {
        assert.ok(!all.includes(b64.slice(i, i + 24)), `${k.name}: key material leaked`);
      }
      // And the private key in other encodings (hex, base64url JWK members).
      if (!k.encrypted) {
        const { createPrivateKey } = require('node:crypto') as typeof import('node:crypto');
        const key = k.inform === 'DER' ? createPrivateKey({ key: raw, format: 'der', type: k.name.includes('pkcs1') ? 'pkcs1' : k.name.includes('sec1') ? 'sec1' : 'pkcs8' }) : createPrivateKey(raw);
        if (key.asymmetricKeyType === 'rsa-pss') continue; // no JWK form
        const jwk = key.export({ format: 'jwk' });
        if (jwk.d) assert.ok(!all.includes(jwk.d.slice(0, 20)), `${k.name}: private scalar leaked`);
        if (jwk.d) assert.ok(!all.includes(Buffer.from(jwk.d, 'base64url').toString('hex').slice(0, 20)));
      }
    }
  });
});

/** The publicKey [1] BIT STRING content of a SEC1 DER key. */
function publicPoint(sec1: Uint8Array): Buffer {
  const top = readTlv(sec1, 0);
  assert.ok(top.ok);
  const kids = children(sec1, top.value)!;
  const tagged = kids.find((k) => k.tag === 0xa1)!;
  const bits = readTlv(sec1, tagged.contentStart);
  assert.ok(bits.ok);
  return Buffer.from(sec1.subarray(bits.value.contentStart + 1, bits.value.end));
}
