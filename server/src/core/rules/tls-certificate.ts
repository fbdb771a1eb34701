import { clip } from './support/message';
import { isIP } from 'node:net';
import { chainOrderProblems, type InspectedObject } from '../pki';
import { handlesOf } from '../pki/inspect';
import { certificatesOf, collectTlsSites, keyOf, loadSites, materialEnvironment, noteIfUnreadable, readFromRelated, type LoadedMaterial, type TlsSite, type TlsSiteKind } from './support/tls-material';
import { defineRule, type RuleContext } from './rule';

const DAY = 24 * 60 * 60 * 1000;
/** Certificates expiring within this many days get a warning. */
export const EXPIRY_WARNING_DAYS = 30;

const day = (date: Date) => date.toISOString().slice(0, 10);

/** What happens when the file a config names holds no usable certificate or key, per place. */
const UNUSABLE: Record<TlsSiteKind, string> = {
  nginx: '`nginx -t` fails and nginx does not start',
  'nginx-proxy': '`nginx -t` fails when it loads the configuration',
  'harbor-yml': "Harbor's proxy container keeps restarting after ./prepare",
  'helm-internal-tls': 'the component cannot start its TLS listener',
  'tls-secret': 'the ingress controller serves its default self-signed certificate instead',
};

export const tlsCertificate = defineRule({
  meta: {
    id: 'tls-certificate',
    catalogId: 'HB-TLS-CERT',
    title: 'TLS certificate expired, for the wrong name, out of order, weak, or with a key nginx cannot read',
    appliesTo: ['harbor-yml', 'nginx', 'helm-values', 'kubernetes-tls-secret'],
    defaultSeverity: 'error',
    fixSafety: 'none',
    docs: {
      whatItDoes:
        'Reads the certificates and keys that harbor.yml (`https.certificate`/`private_key`), nginx (`ssl_certificate`/`ssl_certificate_key`, `proxy_ssl_certificate`), the chart\'s inline `internalTLS.*` material and Kubernetes `kubernetes.io/tls` Secrets name, and reports: a certificate that has expired or is not valid yet (error) or expires within 30 days (warning); a server certificate whose Subject Alternative Names do not cover the harbor.yml `hostname`, the nginx `server_name`, or, for the ingress Secret that chart values name in `expose.tls.secret.secretName` (in the same file), the host of `externalURL` (error; harbor.yml\'s `external_url` is not compared, since with it TLS terminates at a proxy in front; a certificate with no SAN at all is rejected by Go clients whatever its Common Name); a chain file whose certificates are out of order (warning); an RSA key under 2048 bits (warning); and an encrypted private key where nginx has no `ssl_password_file` to open it (error). A file that is read but holds no readable certificate or key (or inline base64 that does not decode) is an error. Paths resolve like the program that reads them, through `paths:` mappings; a file that cannot be read here is not a finding (see `tls-key-certificate-mismatch`).',
      why:
        '`docker login` and `docker pull` fail with `x509: certificate has expired or is not yet valid`, `x509: certificate is valid for harbor.internal, not registry.example.com`, or `x509: certificate relies on legacy Common Name field, use SANs instead`. A chain in the wrong order gives `x509: certificate signed by unknown authority` on clients that do not already hold the intermediate. OpenSSL 3 at security level 2 (Debian, Ubuntu, RHEL 9 defaults) refuses RSA keys under 2048 bits (`ee key too small`). An encrypted key makes nginx ask `Enter PEM pass phrase:` at start and fail with `PEM_read_bio_PrivateKey() failed (SSL: error:...:bad decrypt)`; Harbor\'s installer nginx has no `ssl_password_file`.',
      example: { language: 'nginx', code: 'server {\n    listen 443 ssl;\n    server_name registry.example.com;\n    ssl_certificate     certs/harbor-internal.crt;   # SAN: harbor.internal only\n    ssl_certificate_key certs/harbor-internal.key;\n    location / {\n        proxy_pass http://harbor;\n    }\n}' },
      fix:
        'Renew the certificate before it expires, for every name clients use (as `subjectAltName`, not only the Common Name). Put the server certificate first in the file, then each intermediate, each issued by the next. Use RSA keys of 2048 bits or more, or EC P-256. Remove the passphrase (`openssl pkey -in enc.key -out plain.key`, then protect the file with permissions), or give nginx an `ssl_password_file`. No automatic fix.',
      versions: 'All versions. Go 1.15 and later (docker, Harbor\'s own components) ignore the Common Name; OpenSSL 3 refuses RSA under 2048 bits at the default security level.',
      evidence: ['research/crypto.md §7 (rules to encode: leaf first, unencrypted key, SAN covers hostname, validity)'],
    },
  },
  async check(context) {
    const loaded = await loadSites(materialEnvironment(context), collectTlsSites(context));
    const now = new Date();
    const reported = new Set<string>();
    const once = (key: string) => (reported.has(key) ? false : (reported.add(key), true));
    for (const { site, cert, key } of loaded) {
      noteIfUnreadable(context, site, cert);
      noteIfUnreadable(context, site, key);
      reportUnusable(context, site, cert, 'certificate', once);
      reportUnusable(context, site, key, 'private key', once);
      const certs = certificatesOf(cert);
      if (cert && certs.length > 0 && once(`cert:${cert.ref.span.start}:${site.hostnames.map((h) => h.name).join(',')}`)) {
        const related = readFromRelated(cert);
        const naming: RuleContext = related.length === 0 ? context : { ...context, report: (r) => context.report({ ...r, related: [...(r.related ?? []), ...related] }) };
        checkCertificates(naming, site, certs, cert.ref.span, now);
      }
      if (key?.ok && once(`key:${key.ref.span.start}`)) {
        const privateKey = key.objects.find((o) => o.kind === 'private-key');
        if (privateKey?.encrypted && !site.passwordFile) {
          context.report({ span: key.ref.span, message: encryptedShort(site), detail: encryptedMessage(site), related: readFromRelated(key) });
        }
      }
    }
  },
});

/** A file that was read but holds no certificate (or key) a program could load: a finding, unlike a file that is not here. */
function reportUnusable(context: RuleContext, site: TlsSite, loaded: LoadedMaterial | undefined, role: 'certificate' | 'private key', once: (key: string) => boolean): void {
  if (!loaded || !once(`content:${role}:${loaded.ref.span.start}`)) return;
  let problem: string | undefined;
  if (!loaded.ok) {
    if (loaded.problem !== 'decode') return;
    problem = loaded.message;
  } else if (role === 'certificate' ? certificatesOf(loaded).length === 0 : !keyOf(loaded)) {
    problem = loaded.objects.find((o) => o.problem)?.problem ?? `no ${role} found`;
  }
  if (!problem) return;
  context.report({
    span: loaded.ref.span,
    message: `The ${role} of ${clip(site.label.replace(/ \(tls\.crt \/ tls\.key\)$/, ''), 45)} holds no readable ${role}: ${UNUSABLE[site.kind].replace(/`/g, '')}`,
    detail: `The ${role} of ${site.label} holds no readable ${role} (${problem}): ${UNUSABLE[site.kind]}.`,
    related: readFromRelated(loaded),
  });
}

function encryptedShort(site: TlsSite): string {
  switch (site.kind) {
    case 'nginx':
    case 'nginx-proxy':
      return 'The private key is encrypted and no ssl_password_file applies: nginx fails to start ("bad decrypt")';
    case 'harbor-yml':
      return 'The private key is encrypted: Harbor\'s nginx (proxy container) fails to start ("bad decrypt")';
    default:
      return 'The private key is encrypted: Harbor and ingress controllers fail to load it ("tls: failed to parse private key")';
  }
}

function encryptedMessage(site: TlsSite): string {
  switch (site.kind) {
    case 'nginx':
    case 'nginx-proxy':
      return 'The private key is encrypted and no ssl_password_file is in effect here: nginx asks "Enter PEM pass phrase:" at start and, run as a service, fails with "PEM_read_bio_PrivateKey() failed (SSL: ... bad decrypt)".';
    case 'harbor-yml':
      return "The private key is encrypted: Harbor's nginx (proxy container) has no ssl_password_file, so it fails to start with \"PEM_read_bio_PrivateKey() failed ... bad decrypt\". Decrypt it (`openssl pkey -in KEY -out KEY.plain`) and protect the file with permissions instead.";
    default:
      return 'The private key is encrypted: Harbor components and ingress controllers read tls.key without a passphrase and fail to load it ("tls: failed to parse private key").';
  }
}

function checkCertificates(context: RuleContext, site: TlsSite, certs: InspectedObject[], span: { start: number; end: number }, now: Date): void {
  const leaf = certs[0];
  certs.forEach((c, index) => {
    const info = c.certificate;
    if (!info) return;
    const which = index === 0 ? 'The certificate' : `Certificate #${index + 1} of the chain${info.subject ? ` (${info.subject})` : ''}`;
    const subject = index === 0 && info.subject ? ` (${info.subject})` : '';
    if (info.notAfter.getTime() < now.getTime()) {
      context.report({
        span,
        message: `${which} expired on ${day(info.notAfter)}: clients fail with "x509: certificate has expired or is not yet valid"`,
        detail: `${which}${subject} expired on ${day(info.notAfter)}: clients fail with "x509: certificate has expired or is not yet valid" (${site.label}).`,
      });
    } else if (info.notBefore.getTime() > now.getTime()) {
      context.report({
        span,
        message: `${which} is not valid before ${day(info.notBefore)}: until then clients get "x509: certificate has expired or is not yet valid"`,
        detail: `${which}${subject} is not valid before ${day(info.notBefore)}: clients fail with "x509: certificate has expired or is not yet valid" until then; check the clock of the machine that issued it (${site.label}).`,
      });
    } else if (info.notAfter.getTime() - now.getTime() < EXPIRY_WARNING_DAYS * DAY) {
      const days = Math.max(0, Math.floor((info.notAfter.getTime() - now.getTime()) / DAY));
      context.report({
        span,
        severity: 'warning',
        message: `${which} expires on ${day(info.notAfter)}, in ${days} day${days === 1 ? '' : 's'}: renew it before clients get "x509: certificate has expired"`,
        detail: `${which}${subject} expires on ${day(info.notAfter)}, in ${days} day${days === 1 ? '' : 's'}: renew it before clients start failing with "x509: certificate has expired or is not yet valid" (${site.label}).`,
      });
    }
  });

  const x509 = handlesOf(leaf)?.cert;
  if (x509 && leaf.certificate) {
    const sans = leaf.certificate.sans;
    const uncovered: string[] = [];
    for (const { name } of site.hostnames) {
      const host = name.replace(/^\[|\]$/g, '');
      // A name with control characters or spaces is no host a client can dial (node's checkHost throws on NUL); other rules report such names.
      if (/[\x00-\x20\x7f]/.test(host)) continue;
      const covered = isIP(host) ? x509.checkIP(host) !== undefined : x509.checkHost(host, { subject: 'never' }) !== undefined;
      if (!covered) uncovered.push(name);
    }
    if (uncovered.length > 0) {
      const sources = [...new Set(site.hostnames.filter((h) => uncovered.includes(h.name)).map((h) => h.source))].join(' / ');
      const first = uncovered[0];
      context.report({
        span,
        message:
          sans.length === 0
            ? 'The certificate has no Subject Alternative Name: docker rejects it ("x509: certificate relies on legacy Common Name field")'
            : `The certificate does not cover ${clip(first, 50)}${uncovered.length > 1 ? ` (and ${uncovered.length - 1} more)` : ''}: docker login fails with "x509: certificate is valid for …, not …"`,
        detail:
          sans.length === 0
            ? `The certificate has no Subject Alternative Name, so Go clients (docker, containerd, Harbor's own components) reject it for ${uncovered.join(', ')} (${sources}) with "x509: certificate relies on legacy Common Name field, use SANs instead".`
            : `The certificate is valid for ${sans.slice(0, 5).join(', ')}${sans.length > 5 ? ', …' : ''}, not ${uncovered.join(', ')} (${sources}): \`docker login ${first}\` fails with "x509: certificate is valid for ${sans[0]}, not ${first}".`,
      });
    }
  }

  const order = chainOrderProblems(certs);
  if (order.length > 0 && certs.every((c) => c.certificate)) {
    context.report({
      span,
      severity: 'warning',
      message: `The certificate chain is out of order (${clip(site.label, 45)}): clients get "x509: certificate signed by unknown authority"`,
      detail: `The certificate chain is out of order (${site.label}): ${order.join('; ')}. Clients that do not already hold the intermediate fail with "x509: certificate signed by unknown authority".`,
    });
  }

  const key = leaf.key;
  if (key && (key.type === 'rsa' || key.type === 'rsa-pss') && key.bits !== undefined && key.bits < 2048) {
    context.report({
      span,
      severity: 'warning',
      message: `The certificate's RSA key has ${key.bits} bits: OpenSSL 3 refuses it with "ee key too small" (use 2048 or more)`,
      detail: `The certificate's RSA key has ${key.bits} bits: OpenSSL 3 at its default security level (Debian, Ubuntu, RHEL 9) refuses it with "ee key too small", and clients reject it as weak. Use 2048 bits or more.`,
    });
  }
}
