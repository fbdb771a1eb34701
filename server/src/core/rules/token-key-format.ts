import { clip } from './support/message';
import { toPkcs1RsaPem, type InspectedObject } from '../pki';
import { defineRule } from './rule';
import { chartVersionVs, valueEnd, hasTokenSecret, inlinePem, replacePemScalar } from './support/token-credentials';

const FAILS = 'so every `/service/token` request answers 500 and `docker login` fails';

function keyName(o: InspectedObject): string {
  const k = o.key;
  if (!k) return 'key';
  if (k.type === 'ec') return `EC ${k.curve ?? ''} key`.replace('  ', ' ');
  if (k.type === 'rsa') return `RSA ${k.bits ?? ''}-bit key`;
  return `${k.type} key`;
}

export const tokenKeyFormat = defineRule({
  meta: {
    id: 'token-key-format',
    catalogId: 'HB-TOKEN-KEY-FORMAT',
    title: 'core.tokenKey is not a PKCS#1 RSA private key',
    appliesTo: ['helm-values'],
    defaultSeverity: 'error',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        'Reads the private key hard-coded in `core.tokenKey`. A PKCS#8 key (`BEGIN PRIVATE KEY`), an EC key, an encrypted key, or text that holds no private key at all is an error; an RSA key under 2048 bits is a warning. Ignored when `core.secretName` is set (the chart then does not use `tokenKey`) and when the value is templated.',
      why:
        'Core computes the token `kid` with libtrust on every token it issues, and libtrust only reads `RSA PRIVATE KEY` and `EC PRIVATE KEY`: a PKCS#8 key makes `/service/token` answer 500 with `unable to get PrivateKey from PEM type: PRIVATE KEY`, and `docker login` fails. Harbor signs tokens with RS256 only, so an EC key fails too, and core cannot decrypt an encrypted key. OpenSSL 3 `openssl genrsa` writes PKCS#8 by default.',
      example: {
        language: 'yaml',
        code: 'core:\n  tokenKey: |\n    -----BEGIN PRIVATE KEY-----\n    MIIEvQIBADANBgkqhkiG9w0BAQEFAASC...\n    -----END PRIVATE KEY-----',
      },
      fix:
        'For an unencrypted RSA key in PKCS#8, the safe quick fix rewrites it in place as PKCS#1 (`BEGIN RSA PRIVATE KEY`), like `openssl rsa -in tls.key -traditional`: the key itself, and so `core.tokenCert`, stay the same. EC and encrypted keys need a new key: `openssl genrsa -traditional -out tls.key 4096`, with a matching `tls.crt`, ideally in a Secret named by `core.secretName`.',
      versions: 'All Harbor 2.x releases (libtrust in `src/core/service/token/authutils.go`). Charts generate PKCS#1 keys themselves; this only concerns hard-coded keys (chart ≥ 1.12).',
      evidence: ['goharbor/harbor-helm#1628', 'goharbor/harbor src/core/service/token/authutils.go:38, 140-146', 'docker/libtrust key.go:137-163', 'goharbor/harbor commit 69a194b2b4 (prepare switched to `genrsa -traditional`)'],
    },
  },
  check(context) {
    for (const { values, chartVersion } of context.helmValues) {
      if (hasTokenSecret(values) || chartVersionVs(chartVersion, 1, 12) === 'below') continue;
      const pem = inlinePem(values, 'core.tokenKey');
      if (!pem) continue;
      const span = { start: pem.entry.valueSpan.start, end: valueEnd(values.yaml, pem.entry) };
      const keys = pem.objects.filter((o) => o.kind === 'private-key');
      const key = keys[0];
      if (!key) {
        const what = pem.objects.some((o) => o.kind === 'certificate')
          ? 'holds a certificate, not a private key (is it swapped with core.tokenCert?)'
          : pem.objects.some((o) => o.kind === 'public-key')
            ? 'holds a public key, not the private key'
            : 'holds no PEM private key';
        context.report({ span, message: `core.tokenKey ${what.replace(/ \(.*\)$/, '')}: /service/token answers 500 and docker login fails`, detail: `core.tokenKey ${what}: core cannot load a signing key, ${FAILS}.` });
        continue;
      }
      if (key.encrypted) {
        context.report({
          span,
          message: 'core.tokenKey is an encrypted private key: core cannot read it, so docker login fails (/service/token answers 500)',
          detail: `core.tokenKey is an encrypted private key (\`${key.label ?? 'ENCRYPTED PRIVATE KEY'}\`): core reads it without a password, ${FAILS}. Use an unencrypted PKCS#1 RSA key (\`openssl genrsa -traditional\`) and keep it secret with a Secret named by core.secretName.`,
        });
        continue;
      }
      if (key.format === 'pkcs8') {
        const converted = key.key?.type === 'rsa' && keys.length === 1 && pem.objects.length === 1 ? toPkcs1RsaPem(pem.value) : null;
        const edit = converted ? replacePemScalar(context.lines, values.yaml, pem.entry, converted) : undefined;
        const rsa = key.key?.type === 'rsa';
        context.report({
          span,
          message: rsa
            ? 'core.tokenKey is PKCS#8 (BEGIN PRIVATE KEY), which libtrust cannot read: docker login fails (/service/token answers 500)'
            : `core.tokenKey is a PKCS#8 ${keyName(key)}, not RSA: docker login fails (/service/token answers 500)`,
          detail: rsa
            ? `core.tokenKey is a PKCS#8 key (\`BEGIN PRIVATE KEY\`, as OpenSSL 3 \`genrsa\` writes it): libtrust only reads \`RSA PRIVATE KEY\`, ${FAILS} with \`unable to get PrivateKey from PEM type: PRIVATE KEY\`.`
            : `core.tokenKey is a PKCS#8 ${keyName(key)}: Harbor signs tokens with RS256 only and libtrust does not read \`BEGIN PRIVATE KEY\`, ${FAILS}. Generate an RSA key with \`openssl genrsa -traditional 4096\`.`,
          fixes: edit ? [{ title: 'Convert the key to PKCS#1 (BEGIN RSA PRIVATE KEY)', note: 'The key, and so core.tokenCert, stay the same.', safety: 'safe', edits: [edit] }] : [],
        });
        continue;
      }
      if (key.problem && !key.key) {
        context.report({ span, message: `core.tokenKey cannot be read (${clip(key.problem, 50)}): docker login fails (/service/token answers 500)`, detail: `core.tokenKey cannot be read: ${key.problem}; core cannot load it, ${FAILS}.` });
        continue;
      }
      if (key.key && key.key.type !== 'rsa') {
        context.report({
          span,
          message: `core.tokenKey is an ${keyName(key)}, not RSA: docker login fails (/service/token answers 500)`,
          detail: `core.tokenKey is an ${keyName(key)}: Harbor signs tokens with RS256 only (\`signingMethod = "RS256"\`), ${FAILS}. Generate an RSA key with \`openssl genrsa -traditional 4096\`.`,
        });
        continue;
      }
      if (key.key?.type === 'rsa' && key.key.bits !== undefined && key.key.bits < 2048) {
        context.report({
          span,
          severity: 'warning',
          message: `core.tokenKey is an RSA ${key.key.bits}-bit key: whoever factors it can forge registry tokens (use ≥ 2048 bits)`,
          detail: `core.tokenKey is an RSA ${key.key.bits}-bit key: anyone who factors it can sign registry tokens that Harbor accepts. Harbor's own keys are 4096 bits; use at least 2048 (\`openssl genrsa -traditional 4096\`).`,
        });
      }
    }
  },
});
