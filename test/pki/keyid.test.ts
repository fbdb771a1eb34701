/** Key IDs against published vectors (copied from research/keyid-vectors.json, sources inline). */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, JsonWebKey } from 'node:crypto';
import { describe, it } from 'node:test';
import { base32, findKeyIds, jwkThumbprint, libtrustKeyId, parseKeyIdFromText } from '../../server/src/core/pki';

const ec = (x: string, y: string): JsonWebKey => ({ kty: 'EC', crv: 'P-256', x, y });

/** libtrust key IDs computed by Go (docker/libtrust `keyIDFromCryptoKey`). */
const LIBTRUST: { src: string; jwk: JsonWebKey; kid: string }[] = [
  {
    src: 'distribution/distribution docs/content/spec/auth/jwt.md (ES256 example key)',
    jwk: ec('m7zUpx3b-zmVE5cymSs64POG9QcyEpJaYCD82-549_Q', 'dU3biz8sZ_8GPB-odm8Wxz3lNDr1xcAQQPQaOcr1fmc'),
    kid: 'PYYO:TEWU:V7JH:26JV:AQTZ:LJC3:SXVJ:XGHA:34F2:2LAQ:ZRMK:Z7Q6',
  },
  {
    src: 'goharbor/harbor src/controller/artifact/abstractor_test.go (schema1 manifest signed by a docker daemon)',
    jwk: ec('PUiT1kV7Xf-U8M54gpCzvPc5mDUX9BjvizdBgy3oTsI', 'BAgeQchl9QibzPP2Qp_-gJMWr682QVWoHy52hLRHZ04'),
    kid: 'KG7S:QIPL:FTS3:YAKZ:AADA:4GML:ITLH:7APP:O4F7:2NBA:A4IN:CWVF',
  },
  {
    src: 'goharbor/harbor src/controller/artifact/processor/image/manifest_v1_test.go',
    jwk: ec('3gAwX48IQ5oaYQAYSxor6rYYc_6yjuLCjtQ9LUakg4A', 't72ge6kIA1XOjqjVoEOiPPAURltJFBMGDSQvEGVB010'),
    kid: 'OD6I:6DRK:JXEJ:KBM4:255X:NSAA:MUSF:E4VM:ZI6W:CUN2:L4Z6:LSF4',
  },
  {
    src: 'goharbor/harbor src/pkg/reg/adapter/quay/adapter_test.go',
    jwk: ec('xOLxWrHtPC8j0WFZd4l5TErbzO_p5FWiYYamVEOtEjI', 'Ze-LCvjtbpEJRSKbRlQXQYlBcAjoTNNTj_GvaDieXy0'),
    kid: 'BU64:Q7B6:FC7P:O23C:H46C:5J5O:DRH6:F7XL:MB2U:YD4Z:4IT2:4XAT',
  },
];

/** IDs from libtrust's own 2014 docs: the pre-2c24450 algorithm (SHA256("EC"+crv+X+Y)), used by no released distribution. */
const LIBTRUST_LEGACY: { src: string; jwk: JsonWebKey; kid: string }[] = [
  {
    src: 'docker/libtrust docs/specs/tls.md @910d127',
    jwk: ec('1cuD55uO-hSfHPfg6GwsShsropJD4FGQqJvU-4vnuxo', 'pv1OFj8b3B9IBFFVv91h8KGPj3Xs4L2gR4AgMRV2IDA'),
    kid: '6EWQ:QBGP:5CXA:QBHI:DLXJ:IRMO:47H7:EIDB:3QZR:S3MZ:UEMP:J6J5',
  },
  {
    src: 'docker/libtrust docs/specs/signature.md @f4ff907',
    jwk: ec('Cu_UyxwLgHzE9rvlYSmvVdqYCXY42E9eNhBb0xNv0SQ', 'zUsjWJkeKQ5tv7S-hl1Tg71cd-CqnrtiiLxSi6N_yc8'),
    kid: 'LYRA:YAG2:QQKS:376F:QQXY:3UNK:SXH7:K6ES:Y5AU:XUN5:ZLVY:KBYL',
  },
];

const RFC7638: { src: string; jwk: JsonWebKey; thumb: string }[] = [
  {
    src: 'RFC 7638 section 3.1',
    jwk: {
      kty: 'RSA',
      e: 'AQAB',
      n:
        '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
    },
    thumb: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
  },
  {
    src: 'RFC 8037 A.3 (used by distribution v3.1 util_test.go)',
    jwk: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
    thumb: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
  },
];

describe('libtrust key ID', () => {
  for (const v of LIBTRUST) {
    it(v.src, () => assert.equal(libtrustKeyId(createPublicKey({ key: v.jwk, format: 'jwk' })), v.kid));
  }
  for (const v of LIBTRUST_LEGACY) {
    it(`${v.src}: the pre-2014-11 algorithm gives a different ID (documented, not produced)`, () => {
      const id = libtrustKeyId(createPublicKey({ key: v.jwk, format: 'jwk' }));
      assert.match(id, /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
      assert.notEqual(id, v.kid);
    });
  }
  it('a private key gives the ID of its public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    assert.equal(libtrustKeyId(privateKey), libtrustKeyId(publicKey));
  });
  it('base32 matches RFC 4648 test vectors (unpadded)', () => {
    const cases: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [input, out] of cases) assert.equal(base32(Buffer.from(input)), out);
  });
});

describe('RFC 7638 thumbprint', () => {
  for (const v of RFC7638) {
    it(v.src, () => assert.equal(jwkThumbprint(createPublicKey({ key: v.jwk, format: 'jwk' })), v.thumb));
  }
  it('RSA-PSS keys use the RSA members', () => {
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    // Same modulus, plain RSA: the RSAPublicKey inside the SPKI's BIT STRING, read with forge.
    const forge = require('node-forge') as typeof import('node-forge');
    const spki = forge.asn1.fromDer(pss.publicKey.export({ type: 'spki', format: 'der' }).toString('binary'), { decodeBitStrings: false } as unknown as boolean);
    const bitString = (spki.value as import('node-forge').asn1.Asn1[])[1];
    const rsaDer = Buffer.from((bitString.value as string).slice(1), 'binary');
    const jwk = createPublicKey({ key: rsaDer, format: 'der', type: 'pkcs1' }).export({ format: 'jwk' });
    assert.equal(jwkThumbprint(pss.publicKey), jwkThumbprint(createPublicKey({ key: jwk, format: 'jwk' })));
    assert.match(jwkThumbprint(pss.publicKey), /^[A-Za-z0-9_-]{43}$/);
  });
  it('Go big.Int encoding drops leading zero bytes of EC coordinates (distribution v3.1)', () => {
    // A fixed P-256 key whose x coordinate starts with a zero byte. (Searching for one by generating
    // thousands of keys deadlocked Node 20 now and then: a GC inside ExportJWKEcKey runs a KeyGenJob
    // destructor that takes the mutex ExportJWK holds.)
    const jwk = { kty: 'EC', crv: 'P-256', x: 'ABsWamvVbmWZD151urupu9dujzdByUjOSm2QCCBjOqQ', y: 'zRB87031tycDZDEUHXR4gCWGGki6PYlfA7coAwHi6gM' };
    assert.equal(Buffer.from(jwk.x, 'base64url')[0], 0);
    const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
    assert.notEqual(jwkThumbprint(publicKey), jwkThumbprint(publicKey, { goBigIntCoordinates: true }));
  });
  it('is identical with and without the Go option when no coordinate starts with zero', () => {
    const jwk = LIBTRUST[0].jwk;
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    assert.equal(jwkThumbprint(key), jwkThumbprint(key, { goBigIntCoordinates: true }));
  });
});

describe('key IDs in pasted log lines', () => {
  const libtrust = 'PYYO:TEWU:V7JH:26JV:AQTZ:LJC3:SXVJ:XGHA:34F2:2LAQ:ZRMK:Z7Q6';
  const thumb = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
  it('distribution v2 error line', () => {
    const line = `time="2024-05-01T10:00:00Z" level=warning msg="error authorizing context: invalid token: token signed by untrusted key with ID: \\"${libtrust}\\""`;
    assert.deepEqual(parseKeyIdFromText(line), [libtrust]);
  });
  it('distribution v3 error line with an RFC 7638 kid', () => {
    const line = `level=warning msg="error authorizing context: invalid token: token signed by untrusted key with ID: \\"${thumb}\\"" go.version=go1.22`;
    assert.deepEqual(findKeyIds(line), [{ id: thumb, form: 'rfc7638' }]);
  });
  it('JWT header kid', () => {
    assert.deepEqual(parseKeyIdFromText(`{"alg":"RS256","kid":"${thumb}","typ":"JWT"}`), [thumb]);
    assert.deepEqual(parseKeyIdFromText(`{"typ":"JWT","alg":"RS256","kid":"${libtrust}"}`), [libtrust]);
  });
  it('a bare ID', () => {
    assert.deepEqual(parseKeyIdFromText(`  ${libtrust}\n`), [libtrust]);
    assert.deepEqual(parseKeyIdFromText(`"${thumb}"`), [thumb]);
  });
  it('several IDs, deduplicated, in order', () => {
    const other = 'KG7S:QIPL:FTS3:YAKZ:AADA:4GML:ITLH:7APP:O4F7:2NBA:A4IN:CWVF';
    assert.deepEqual(parseKeyIdFromText(`${other} then ${libtrust} and again ${other}`), [other, libtrust]);
  });
  it('no false positives: JWT signatures, digests, near-miss IDs', () => {
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.${thumb}`;
    assert.deepEqual(parseKeyIdFromText(`Authorization: Bearer ${jwt}`), []);
    assert.deepEqual(parseKeyIdFromText('digest sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1'), []);
    assert.deepEqual(parseKeyIdFromText(libtrust.slice(0, -5)), []); // 11 groups
    assert.deepEqual(parseKeyIdFromText(`${libtrust}:ABCD`), []); // 13 groups
    assert.deepEqual(parseKeyIdFromText(libtrust.toLowerCase()), []);
    assert.deepEqual(parseKeyIdFromText(libtrust.replace('PYYO', 'PYY1')), []); // 1 is not base32
    assert.deepEqual(parseKeyIdFromText(`ID: "${thumb}x"`), []); // 44 characters
  });
});
