/**
 * Hover on a credential key in chart values or harbor.yml: what it protects,
 * and whether the chart or the installer makes a new one when it is empty.
 */
import type { YamlMapView } from '../yaml/yamlModel';
import { contains, type HoverProvider, type HoverResult } from './hover';

interface CredentialFact {
  what: string;
  whenEmpty: string;
  /** The rule that checks it, for a docs link. */
  rule?: string;
}

// From research/harbor-rules.md §0.2, §0.3 and HB-GITOPS-RANDOM (chart templates as of harbor-helm 1.14+).
const CHART_KEYS: Record<string, CredentialFact> = {
  harborAdminPassword: { what: 'Initial password of the `admin` user.', whenEmpty: 'Read once, on the first start; afterwards the password lives in the database and this value is ignored (core logs "Admin password from config ... ignored").', rule: 'default-admin-password' },
  existingSecretAdminPassword: { what: 'Name of a Secret holding the admin password (key `HARBOR_ADMIN_PASSWORD` unless `existingSecretAdminPasswordKey` says otherwise).', whenEmpty: 'When set, `harborAdminPassword` is ignored.' },
  secretKey: { what: 'AES key (16 characters) that encrypts stored credentials: replication endpoints, OIDC client secret and CLI secrets, scanner and P2P credentials.', whenEmpty: 'Never regenerated, and it must never change: a different key decrypts stored secrets to garbage without any error (AES-CFB, no authentication).' },
  existingSecretSecretKey: { what: 'Name of a Secret holding `secretKey` (key `secretKey`).', whenEmpty: 'When set, `secretKey` is ignored.' },
  'core.secret': { what: 'Shared secret core uses to authenticate internal calls (16 characters).', whenEmpty: 'Generated with `randAlphaNum 16`; since chart 1.14 kept across upgrades through `lookup`, but regenerated on every render under `helm template`, Argo CD or Flux.' },
  'core.xsrfKey': { what: 'Key that signs CSRF tokens for the portal (exactly 32 characters).', whenEmpty: 'Generated with `randAlphaNum 32`; kept by `lookup` since chart 1.14, regenerated on every render under GitOps.' },
  'core.tokenKey': { what: 'RSA private key (PKCS#1 PEM) that signs the bearer tokens `/service/token` issues; core verifies `/v2/` tokens with its public half.', whenEmpty: 'With `core.secretName` also empty, the chart generates a new key pair (`genCA`) on every render, with no `lookup`: every upgrade rotates it, and replicas or releases rendered apart sign with different keys (`crypto/rsa: verification error`).' },
  'core.tokenCert': { what: 'Certificate of `core.tokenKey`. Harbor 2.x verifies tokens with the key itself; the certificate only has to belong to it.', whenEmpty: 'Generated together with `core.tokenKey`.' },
  'core.secretName': { what: 'Name of a Secret with `tls.key`/`tls.crt` for token signing: the way to keep one signing key across upgrades, replicas and GitOps renders.', whenEmpty: 'The chart falls back to `core.tokenKey`/`core.tokenCert`, or generates a pair on every render.' },
  'jobservice.secret': { what: 'Shared secret between core and jobservice (16 characters).', whenEmpty: 'Generated; kept by `lookup` since chart 1.14, regenerated on every render under GitOps.' },
  'registry.secret': { what: 'The registry\'s HTTP secret, used to sign upload state (16 characters).', whenEmpty: 'Generated; kept by `lookup` since chart 1.14, regenerated on every render under GitOps.' },
  'registry.credentials.password': { what: 'Password core uses for basic auth to the registry (Harbor 2.x proxies `/v2` with these credentials).', whenEmpty: 'The chart default is `harbor_registry_password`.' },
  'registry.credentials.htpasswdString': { what: 'Pre-computed htpasswd line for the registry credentials.', whenEmpty: 'Computed with `htpasswd` on every render: its random bcrypt salt changes the Secret each time under GitOps.' },
  'database.internal.password': { what: 'Password of the bundled PostgreSQL.', whenEmpty: 'The chart default is `changeit`. Set on first initialisation of the database volume only: changing it later breaks core\'s connection.' },
  'database.external.password': { what: 'Password Harbor uses for an external PostgreSQL.', whenEmpty: 'Required with `database.type: external`, unless `database.external.existingSecret` is set.' },
};

const INSTALLER_KEYS: Record<string, CredentialFact> = {
  harbor_admin_password: { what: 'Initial password of the `admin` user.', whenEmpty: 'Only used on the first install; afterwards change it in the Harbor UI.', rule: 'default-admin-password' },
  'database.password': { what: 'Password of the bundled PostgreSQL (default `root123`).', whenEmpty: 'Set when the database is first initialised; changing it afterwards breaks core until the database user is changed too.' },
};

function hoverIn(view: YamlMapView, table: Record<string, CredentialFact>, offset: number): HoverResult | undefined {
  for (const [path, fact] of Object.entries(table)) {
    const entry = view.get(path);
    if (!entry || !contains(entry.keySpan, offset)) continue;
    const lines = [`**\`${path}\`**: ${fact.what}`, '', fact.whenEmpty];
    if (fact.rule) lines.push('', `Checked by \`${fact.rule}\`.`);
    return { span: entry.keySpan, markdown: lines.join('\n') };
  }
  return undefined;
}

export const credentialKeysHover: HoverProvider = {
  id: 'credential-keys',
  appliesTo: ['helm-values', 'harbor-yml'],
  hover(context) {
    for (const target of context.helmValues) {
      const found = hoverIn(target.values, CHART_KEYS, context.offset);
      if (found) return found;
    }
    return context.installer ? hoverIn(context.installer, INSTALLER_KEYS, context.offset) : undefined;
  },
};
