import { matchKeyAndCertificate } from '../pki';
import { certificatesOf, collectTlsSites, keyOf, loadSites, unreadableMessage, type LoadedMaterial, type TlsSite, type TlsSiteKind } from './support/tls-material';
import { defineRule, type RuleContext } from './rule';

/** What the user sees when the pair does not match, per place the pair is configured. */
const SYMPTOM: Record<TlsSiteKind, string> = {
  nginx: 'nginx refuses to start: `nginx -t` fails with "SSL_CTX_use_PrivateKey(...) failed (SSL: error:05800074:x509 certificate routines::key values mismatch)"',
  'nginx-proxy': 'every request to the HTTPS upstream fails: nginx logs "SSL_CTX_use_PrivateKey(...) failed ... key values mismatch" when loading the configuration',
  'harbor-yml': 'after ./prepare the harbor nginx (proxy) container keeps restarting with "SSL_CTX_use_PrivateKey(...) failed ... key values mismatch", so the portal and `docker login` are unreachable',
  'helm-internal-tls': 'the component cannot start its TLS listener ("tls: private key does not match public key") and the other Harbor components get connection errors calling it',
  'tls-secret': 'the ingress controller rejects the Secret ("tls: private key does not match public key") and serves its default self-signed certificate, so `docker login` fails with "x509: certificate signed by unknown authority"',
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
        "Reads each TLS certificate and private key a config names and checks that the key belongs to the certificate (the first certificate of the file, the leaf). It covers harbor.yml `https.certificate`/`https.private_key` (relative to the harbor.yml's folder), nginx `ssl_certificate`/`ssl_certificate_key` (every pair of a server, paired by position as nginx does, relative to the folder of the main nginx config) and `proxy_ssl_certificate`/`proxy_ssl_certificate_key`, the chart's inline `internalTLS.<component>.crt`/`.key`, and Kubernetes `kubernetes.io/tls` Secrets (`tls.crt`/`tls.key`). RSA, EC, Ed25519 and RSA-PSS keys in PKCS#1, PKCS#8 or SEC1, PEM or DER. A file that is missing, unreadable, not a regular file or over 1 MiB gets an information finding saying it was not checked; a file that holds no readable certificate or key is an error.",
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
    const loaded = await loadSites(context.files, collectTlsSites(context));
    const reported = new Set<string>();
    const once = (key: string) => (reported.has(key) ? false : (reported.add(key), true));
    for (const { site, cert, key } of loaded) {
      reportUnreadable(context, site, cert, 'certificate', once);
      reportUnreadable(context, site, key, 'private key', once);
      const certs = certificatesOf(cert);
      const privateKey = keyOf(key);
      if (cert?.ok && certs.length === 0 && once(`content:${cert.ref.span.start}`)) {
        const problem = cert.objects.find((o) => o.problem)?.problem ?? 'no certificate found';
        context.report({ span: cert.ref.span, message: `The certificate of ${site.label} holds no readable certificate: ${problem}. ${capitalize(SYMPTOM[site.kind].replace(/ with ".*$|: `nginx.*$/, ''))}.` });
      }
      if (key?.ok && !privateKey && once(`content:${key.ref.span.start}`)) {
        const problem = key.objects.find((o) => o.problem)?.problem ?? 'no private key found';
        context.report({ span: key.ref.span, message: `The private key of ${site.label} holds no readable private key: ${problem}. ${capitalize(SYMPTOM[site.kind].replace(/ with ".*$|: `nginx.*$/, ''))}.` });
      }
      if (!privateKey || certs.length === 0 || privateKey.problem) continue;
      const result = matchKeyAndCertificate(privateKey, certs);
      if (result.verdict !== 'mismatch') continue;
      const target = site.key!;
      if (!once(`pair:${target.span.start}:${site.cert!.span.start}`)) continue;
      const sameFile = site.cert!.kind === 'file' && target.kind === 'file' && site.cert!.path === target.path;
      context.report({
        span: target.span,
        message: `The private key does not belong to the certificate (${site.label}): ${result.reason}. ${capitalize(SYMPTOM[site.kind])}.`,
        related: sameFile || site.cert!.span.start === target.span.start ? [] : [{ span: site.cert!.span, message: 'the certificate it is paired with' }],
      });
    }
  },
});

function capitalize(text: string): string {
  return text.startsWith('nginx') ? text : text.charAt(0).toUpperCase() + text.slice(1);
}

function reportUnreadable(context: RuleContext, site: TlsSite, loaded: LoadedMaterial | undefined, role: string, once: (key: string) => boolean): void {
  if (!loaded || loaded.ok) return;
  // Harbor's own nginx names paths inside its container: they need not exist here.
  if (site.containerPaths && loaded.problem === 'missing') return;
  if (loaded.problem === 'unsupported') return; // no file system (virtual workspace)
  if (!once(`read:${loaded.ref.span.start}`)) return;
  context.report({
    span: loaded.ref.span,
    severity: loaded.problem === 'decode' ? 'error' : 'info',
    message: `${unreadableMessage(loaded, role)}`,
  });
}
