/**
 * Strict PEM framing. Where it applies, node's own PEM reader (OpenSSL, the
 * same code nginx uses) is the oracle: a block we accept must load, a block we
 * reject must not.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { inspectBytes, inspectPem, scanPem } from '../../server/src/core/pki';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PKCS8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SEC1 = privateKey.export({ type: 'sec1', format: 'pem' }).toString();
const DER = privateKey.export({ type: 'pkcs8', format: 'der' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const RSA_PKCS1 = rsa.export({ type: 'pkcs1', format: 'pem' }).toString();

function opensslAccepts(text: string): boolean {
  try {
    createPrivateKey(text);
    return true;
  } catch {
    return false;
  }
}

/** Our verdict (a readable key) must equal OpenSSL's on the raw text. */
function agreesWithOpenssl(text: string): boolean {
  const objects = inspectPem(text);
  const ours = objects.length > 0 && objects.every((o) => !o.problem) && objects.some((o) => o.kind === 'private-key' && o.key);
  assert.equal(ours, opensslAccepts(text), `ours=${ours}: ${JSON.stringify(objects.map((o) => o.problem))}`);
  return ours;
}

describe('strict PEM framing', () => {
  it('a well-formed block: label, exact span, body', () => {
    const text = `# a comment\n${PKCS8}trailing text\n`;
    const [block] = scanPem(text);
    assert.equal(block.label, 'PRIVATE KEY');
    assert.equal(block.problem, undefined);
    assert.deepEqual(Buffer.from(block.body!), DER);
    assert.equal(text.slice(block.span.start, block.span.end), PKCS8.trimEnd());
    assert.equal(agreesWithOpenssl(text), true);
  });

  it('CRLF line endings are fine', () => {
    const text = PKCS8.replace(/\n/g, '\r\n');
    const [block] = scanPem(text);
    assert.equal(block.problem, undefined);
    assert.deepEqual(Buffer.from(block.body!), DER);
    assert.equal(text.slice(block.span.start, block.span.end), text.trimEnd());
    assert.equal(agreesWithOpenssl(text), true);
  });

  it('no trailing newline, 76-column base64, spaces at line ends', () => {
    const b64 = DER.toString('base64');
    const lines = b64.match(/.{1,76}/g)!.map((l) => `${l}  `);
    const text = `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----`;
    assert.equal(scanPem(text)[0].problem, undefined);
    assert.equal(agreesWithOpenssl(text), true);
  });

  it('an indented BEGIN line is an error', () => {
    const text = PKCS8.replace(/^/gm, '  ');
    const [block] = scanPem(text);
    assert.match(block.problem ?? '', /indented/);
    assert.equal(block.body, null);
    assert.equal(block.label, 'PRIVATE KEY');
    assert.equal(agreesWithOpenssl(text), false);
  });

  it('indentation is accepted on request (YAML block scalar in the raw document), with spans into the document', () => {
    const yaml = `core:\n  tokenKey: |\n${SEC1.trimEnd().replace(/^/gm, '    ')}\n  tokenCert: ""\n`;
    assert.match(inspectPem(yaml)[0].problem ?? '', /indented/);
    const [o] = inspectPem(yaml, { allowIndent: true });
    assert.equal(o.problem, undefined);
    assert.deepEqual([o.kind, o.format, o.key?.curve], ['private-key', 'sec1', 'P-256']);
    const spanned = yaml.slice(o.span!.start, o.span!.end);
    assert.ok(spanned.startsWith('-----BEGIN EC PRIVATE KEY-----'));
    assert.ok(spanned.endsWith('-----END EC PRIVATE KEY-----'));
  });

  it('inconsistent indentation is still an error with allowIndent', () => {
    const lines = SEC1.trimEnd().split('\n').map((l) => `    ${l}`);
    lines[2] = lines[2].slice(2);
    const [block] = scanPem(lines.join('\n'), { allowIndent: true });
    assert.match(block.problem ?? '', /indentation/);
  });

  it('an indented END line is an error', () => {
    const text = PKCS8.replace('-----END', '   -----END');
    assert.match(scanPem(text)[0].problem ?? '', /END line .* indented/);
    assert.equal(agreesWithOpenssl(text), false);
  });

  it('a mismatched END label is an error', () => {
    const text = PKCS8.replace('END PRIVATE KEY', 'END RSA PRIVATE KEY');
    assert.match(scanPem(text)[0].problem ?? '', /END line says "RSA PRIVATE KEY" but the block began as "PRIVATE KEY"/);
    assert.equal(agreesWithOpenssl(text), false);
  });

  it('bad base64 is an error', () => {
    const lines = PKCS8.split('\n');
    lines[1] = `${lines[1].slice(0, 10)}*${lines[1].slice(11)}`;
    const text = lines.join('\n');
    assert.match(scanPem(text)[0].problem ?? '', /line 2 contains characters that are not base64/);
    assert.equal(agreesWithOpenssl(text), false);
  });

  it('bad padding is an error', () => {
    const b64 = DER.toString('base64').replace(/=+$/, '');
    const text = `-----BEGIN PRIVATE KEY-----\n${b64.slice(0, b64.length - 1)}\n-----END PRIVATE KEY-----\n`;
    assert.match(scanPem(text)[0].problem ?? '', /truncated or badly padded/);
    assert.equal(agreesWithOpenssl(text), false);
  });

  it('a truncated file (no END line) is an error', () => {
    const text = PKCS8.split('\n').slice(0, 3).join('\n');
    const [block] = scanPem(text);
    assert.match(block.problem ?? '', /no "-----END PRIVATE KEY-----" line: the block is truncated/);
    assert.equal(block.span.end, text.length);
    assert.equal(agreesWithOpenssl(text), false);
  });

  it('a truncated block followed by a good one: both reported, the good one intact', () => {
    const text = `${PKCS8.split('\n').slice(0, 2).join('\n')}\n${RSA_PKCS1}`;
    const blocks = scanPem(text);
    assert.equal(blocks.length, 2);
    assert.match(blocks[0].problem ?? '', /truncated/);
    assert.equal(blocks[1].problem, undefined);
    assert.equal(blocks[1].label, 'RSA PRIVATE KEY');
  });

  it('a body cut short inside the DER is explained at the ASN.1 level', () => {
    const cut = DER.subarray(0, DER.length - 12);
    const text = `-----BEGIN PRIVATE KEY-----\n${cut.toString('base64')}\n-----END PRIVATE KEY-----\n`;
    const [o] = inspectPem(text);
    assert.match(o.problem ?? '', /not valid DER: .*truncated or corrupted/);
    assert.equal(agreesWithOpenssl(text), false);
  });

  it('a body with the wrong structure for its label says what it is', () => {
    const text = SEC1.replace(/EC PRIVATE KEY/g, 'PRIVATE KEY');
    const [o] = inspectPem(text);
    assert.match(o.problem ?? '', /contains a SEC1 EC private key \("EC PRIVATE KEY"\), not a PKCS#8 private key/);
    const rsaAsPkcs8 = RSA_PKCS1.replace(/RSA PRIVATE KEY/g, 'PRIVATE KEY');
    assert.match(inspectPem(rsaAsPkcs8)[0].problem ?? '', /contains a PKCS#1 RSA private key/);
  });

  it('one-line, YAML-folded and \\n-escaped PEM are errors', () => {
    const oneLine = `tls.key: ${PKCS8.trimEnd().replace(/\n/g, ' ')}\n`;
    const [a] = inspectPem(oneLine);
    assert.match(a.problem ?? '', /not on its own lines/);
    assert.equal(a.label, 'PRIVATE KEY');
    assert.equal(oneLine.slice(a.span!.start, a.span!.end), PKCS8.trimEnd().replace(/\n/g, ' '));
    const escaped = `key: "${PKCS8.trimEnd().replace(/\n/g, '\\n')}"\n`;
    assert.match(inspectPem(escaped)[0].problem ?? '', /literal "\\n" escapes/);
    const sameLine = PKCS8.replace('-----\n', '-----');
    assert.match(inspectPem(sameLine)[0].problem ?? '', /not on its own lines/);
    assert.equal(agreesWithOpenssl(sameLine), false);
  });

  it('a byte-order mark before BEGIN is an error', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(PKCS8)]);
    const [o] = inspectBytes(bytes);
    assert.match(o.problem ?? '', /byte-order mark.*Go/);
    assert.equal(o.key?.curve, 'P-256'); // still described
    // OpenSSL 3 (node, nginx) tolerates the BOM; Go's pem.Decode does not.
    assert.equal(opensslAccepts(bytes.toString('utf8')), true);
  });

  it('an empty body is an error', () => {
    assert.match(scanPem('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n')[0].problem ?? '', /no base64 body/);
  });

  it('a malformed BEGIN line is an error', () => {
    assert.match(scanPem('-----BEGIN CERTIFICATE\nAAAA\n-----END CERTIFICATE-----\n')[0].problem ?? '', /malformed BEGIN line/);
  });

  it('RFC 1421 headers are parsed (legacy encryption)', () => {
    const enc = rsa.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw-123456' }).toString();
    const [block] = scanPem(enc);
    assert.equal(block.problem, undefined);
    assert.equal(block.headers['Proc-Type'], '4,ENCRYPTED');
    assert.match(block.headers['DEK-Info'], /^AES-256-CBC,/);
    const [o] = inspectPem(enc);
    assert.deepEqual([o.format, o.encrypted, o.needsPassword, o.problem], ['legacy-encrypted', true, true, undefined]);
    const [ok] = inspectPem(enc, { password: 'pw-123456' });
    assert.deepEqual([ok.problem, ok.key?.bits], [undefined, 2048]);
    const [bad] = inspectPem(enc, { password: 'nope' });
    assert.match(bad.problem ?? '', /password is wrong/);
  });

  it('several blocks with text around them (x509 -text dumps, Bag Attributes)', () => {
    const text = `Bag Attributes\n    localKeyID: 01 02\nsubject=/CN=x\n${SEC1}\nKey Attributes: <No Attributes>\n${PKCS8}`;
    const objects = inspectPem(text);
    assert.deepEqual(objects.map((o) => [o.label, o.format, o.problem]), [
      ['EC PRIVATE KEY', 'sec1', undefined],
      ['PRIVATE KEY', 'pkcs8', undefined],
    ]);
    assert.equal(objects[0].key?.keyId, objects[1].key?.keyId);
    for (const o of objects) assert.ok(text.slice(o.span!.start, o.span!.end).startsWith('-----BEGIN'));
  });

  it('EC PARAMETERS before an EC key is not a problem; unknown and OpenSSH labels are', () => {
    const params = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
    const objects = inspectPem(params + SEC1);
    assert.deepEqual(objects.map((o) => [o.kind, o.problem]), [['unknown', undefined], ['private-key', undefined]]);
    assert.match(inspectPem('-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n')[0].problem ?? '', /unsupported PEM type "FOO"/);
    assert.match(inspectPem('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n')[0].problem ?? '', /OpenSSH/);
  });

  it('text without PEM gives no blocks; prose that mentions a marker is not a block', () => {
    assert.deepEqual(inspectPem('hostname: reg.example.com\n'), []);
    assert.deepEqual(scanPem('# put your -----BEGIN stuff here\n'), []);
  });
});

describe('bytes: garbage and DER detection', () => {
  it('binary garbage', () => {
    const garbage = Buffer.from([0x00, 0xff, 0x13, 0x37, ...randomBytes(64)]);
    assert.match(inspectBytes(garbage)[0].problem ?? '', /binary data that is neither DER nor PKCS#12/);
  });
  it('garbage that starts like DER', () => {
    const bytes = Buffer.concat([Buffer.from([0x30, 0x82, 0x10, 0x00]), randomBytes(40)]);
    const [o] = inspectBytes(bytes);
    assert.match(o.problem ?? '', /truncated or corrupted/);
  });
  it('a text file without PEM', () => {
    assert.match(inspectBytes(Buffer.from('just some text\n'))[0].problem ?? '', /no PEM block/);
  });
  it('an empty file', () => {
    assert.match(inspectBytes(new Uint8Array(0))[0].problem ?? '', /empty/);
  });
  it('DER keys by content', () => {
    const [o] = inspectBytes(DER);
    assert.deepEqual([o.kind, o.format, o.derFormat, o.problem, o.key?.curve], ['private-key', 'der', 'pkcs8', undefined, 'P-256']);
    const [p1] = inspectBytes(rsa.export({ type: 'pkcs1', format: 'der' }));
    assert.deepEqual([p1.derFormat, p1.key?.bits], ['pkcs1', 2048]);
    const [pub] = inspectBytes(generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }));
    assert.deepEqual([pub.kind, pub.derFormat, pub.key?.type], ['public-key', 'spki', 'ed25519']);
  });
  it('DER with trailing bytes is reported', () => {
    const [o] = inspectBytes(Buffer.concat([DER, Buffer.from([0, 0, 0])]));
    assert.match(o.problem ?? '', /3 unexpected bytes follow/);
  });
});

describe('never throws', () => {
  it('on thousands of mutations of valid PEM', () => {
    const seed = `${RSA_PKCS1}${PKCS8}`;
    let n = 0;
    for (let cut = 0; cut < seed.length; cut += 7) {
      assert.ok(Array.isArray(inspectPem(seed.slice(0, cut))));
      n++;
    }
    const chars = '-\n\r :=A/+ \t\u00e9\uFEFF';
    for (let i = 0; i < 1500; i++) {
      const pos = (i * 7919) % seed.length;
      const mutated = seed.slice(0, pos) + chars[i % chars.length] + seed.slice(pos + (i % 3));
      const objects = inspectPem(mutated, { allowIndent: i % 2 === 0 });
      assert.ok(Array.isArray(objects));
      for (const o of objects) assert.ok(o.problem === undefined || typeof o.problem === 'string');
      n++;
    }
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(DER);
      bytes[(i * 31) % bytes.length] ^= 1 << i % 8;
      assert.ok(Array.isArray(inspectBytes(bytes.subarray(0, bytes.length - (i % 5)))));
      n++;
    }
    assert.ok(n > 1500);
  });
});
