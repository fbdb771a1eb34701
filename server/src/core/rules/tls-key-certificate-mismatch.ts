import { clip } from './support/message';
import { matchKeyAndCertificate } from '../pki';
import { certificatesOf, collectTlsSites, keyOf, loadSites, materialEnvironment, noteIfUnreadable, readFromRelated, type TlsSiteKind } from './support/tls-material';
import { defineRule } from './rule';

/** What the user sees when the pair does not match, per place the pair is configured. */
const SYMPTOM: Record<TlsSiteKind, string> = {
  nginx: 'nginx refuses to start: `nginx -t` fails with "SSL_CTX_use_PrivateKey(...) failed (SSL: error:05800074:x509 certificate routines::key values mismatch)"',
  'nginx-proxy': 'every request to the HTTPS upstream fails: nginx logs "SSL_CTX_use_PrivateKey(...) failed ... key values mismatch" when loading the configuration',
  'harbor-yml': 'after ./prepare the harbor nginx (proxy) container keeps restarting with "SSL_CTX_use_PrivateKey(...) failed ... key values mismatch", so the portal and `docker login` are unreachable',
  'helm-internal-tls': 'the component cannot start its TLS listener ("tls: private key does not match public key") and the other Harbor components get connection errors calling it',
  'tls-secret': 'the ingress controller rejects the Secret ("tls: private key does not match public key") and serves its default self-signed certificate, so `docker login` fails with "x509: certificate signed by unknown authority"',
};

/** The symptom in a few words, for the one-line message. */
const SHORT_SYMPTOM: Record<TlsSiteKind, string> = {
  nginx: 'nginx -t fails with "key values mismatch"',
  'nginx-proxy': 'nginx fails loading it with "key values mismatch"',
  'harbor-yml': 'Harbor\'s nginx keeps restarting ("key values mismatch")',
  'helm-internal-tls': 'the component cannot start TLS ("private key does not match public key")',
  'tls-secret': 'the ingress falls back to its default certificate ("x509: … unknown authority")',
};

export const tlsKeyCertificateMismatch = defineRule({
  meta: {
    id: 'tls-key-certificate-mismatch',
    catalogId: 'HB-TLS-PAIR',
    title: 'TLS certificate and private key do not belong together',
    appliesTo: ['harbor-yml', 'nginx', 'helm-values', 'kubernetes-tls-secret'],
    defaultSeverity: 'error',
    fixSafety: 'none',
    docs: {
      whatItDoes:
        "Reads each TLS certificate and private key a config names and checks that the key belongs to the certificate (the first certificate of the file, the leaf). It covers harbor.yml `https.certificate`/`https.private_key` (relative to the harbor.yml's folder), nginx `ssl_certificate`/`ssl_certificate_key` (every pair of a server, paired by position as nginx does, relative to the folder of the main nginx config) and `proxy_ssl_certificate`/`proxy_ssl_certificate_key`, the chart's inline `internalTLS.<component>.crt`/`.key`, and Kubernetes `kubernetes.io/tls` Secrets (`tls.crt`/`tls.key`). RSA, EC, Ed25519 and RSA-PSS keys in PKCS#1, PKCS#8 or SEC1, PEM or DER. A file that cannot be read here (missing, not a regular file, over 1 MiB) is not a finding: configs usually name paths on the Harbor or proxy host. Map them to copies here with `paths:` in `.harbor-audit.yaml` (`/data/cert: ./certs`), the `harborAudit.paths` setting or `--path-map FROM=TO`; an absolute path that is missing is also looked up by name in the workspace and, when one file of that name fits best, that file is read (the finding names it). Paths still unread are listed in the hover of the path and counted in the CLI's summary line. A file that holds no readable certificate or key is reported by `tls-certificate`.",
      why:
        'nginx refuses to start with `SSL_CTX_use_PrivateKey("/etc/cert/server.key") failed (SSL: error:05800074:x509 certificate routines::key values mismatch)`: after a certificate renewal the old key was kept, or the two files come from different requests. In Harbor\'s installer the proxy container then restarts in a loop and the portal and `docker login` are unreachable. A Kubernetes TLS Secret with a mismatched pair makes the ingress controller serve its default certificate, and clients see `x509: certificate signed by unknown authority`.',
      example: { language: 'yaml', code: 'hostname: registry.example.com\nhttps:\n  port: 443\n  certificate: cert/registry.crt   # renewed\n  private_key: cert/registry.key   # still the old key\nharbor_admin_password: Zr7mQ2xLp9WvK4tN\ndata_volume: /data' },
      fix:
        'Use the key the certificate was issued for (the one that made its CSR), or issue a new certificate for the key you have. `harbor-audit keys compare KEY CERT` (or the "Harbor: Compare Key and Certificate" command) shows the key IDs of both. When a chain file holds the server certificate second, put it first. No automatic fix: only you know which file is the right one.',
      versions: 'All Harbor and nginx versions.',
      evidence: ['examples/tls-mismatch', 'research/crypto.md §2 (verdicts match OpenSSL for every pair of the matrix)'],
    },
  },
  async check(context) {
    const loaded = await loadSites(materialEnvironment(context), collectTlsSites(context));
    const reported = new Set<string>();
    const once = (key: string) => (reported.has(key) ? false : (reported.add(key), true));
    for (const { site, cert, key } of loaded) {
      // A side that cannot be read here is a hover note, not a finding; unparseable content is tls-certificate's.
      noteIfUnreadable(context, site, cert);
      noteIfUnreadable(context, site, key);
      const certs = certificatesOf(cert);
      const privateKey = keyOf(key);
      if (!privateKey || certs.length === 0 || privateKey.problem) continue;
      const result = matchKeyAndCertificate(privateKey, certs);
      if (result.verdict !== 'mismatch') continue;
      const target = site.key!;
      if (!once(`pair:${target.span.start}:${site.cert!.span.start}`)) continue;
      const sameFile = site.cert!.kind === 'file' && target.kind === 'file' && site.cert!.path === target.path;
      context.report({
        span: target.span,
        message: `Private key does not match the certificate (${clip(site.label.replace(/ \(tls\.crt \/ tls\.key\)$/, ''), 50)}): ${SHORT_SYMPTOM[site.kind]}`,
        detail: `The private key does not belong to the certificate (${site.label}): ${result.reason}. ${capitalize(SYMPTOM[site.kind])}.`,
        related: [...(sameFile || site.cert!.span.start === target.span.start ? [] : [{ span: site.cert!.span, message: 'the certificate it is paired with' }]), ...readFromRelated(cert, key)],
      });
    }
  },
});

function capitalize(text: string): string {
  return text.startsWith('nginx') ? text : text.charAt(0).toUpperCase() + text.slice(1);
}
