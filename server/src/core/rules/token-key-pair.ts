import { matchKeyAndCertificate } from '../pki';
import type { HelmValuesTarget } from '../yaml/harborYaml';
import { defineRule, type Report, type RuleContext } from './rule';
import {
  blankTokenPair,
  certificateOf,
  chartVersionVs,
  hardcodedRegenerable,
  hasTokenSecret,
  inlinePem,
  isGitOps,
  privateKeyOf,
  staleCredentialsFix,
  useTokenSecretFix,
} from './support/token-credentials';

const SYMPTOM =
  'docker login, pulls, robot accounts and OIDC CLI logins fail with 401 and core logs `parse token error, crypto/rsa: verification error`';

export const tokenKeyPair = defineRule({
  meta: {
    id: 'token-key-pair',
    catalogId: 'HB-TOKEN-PAIR',
    title: 'Hard-coded core.tokenKey/core.tokenCert half-set, mismatched or carried over',
    appliesTo: ['helm-values'],
    defaultSeverity: 'error',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        'Checks the token signing pair hard-coded in chart values. Exactly one of `core.tokenKey` and `core.tokenCert` set is an error; both set but the certificate not belonging to the key is a warning; a pair set together with `core.secretName` is ignored by the chart (info). A consistent pair hard-coded next to the internal secrets (`core.secret`, `core.xsrfKey`, `jobservice.secret`, `registry.secret`, `registry.credentials.htpasswdString`) is the shape of values carried over from an earlier install (info), the setting behind incident 1. An empty `tokenKey: |` block counts as unset; templated values (`{{ }}`, Ansible lookups, SOPS) are never treated as hard-coded.',
      why:
        'The chart fills each half independently (`tls.key: {{ .Values.core.tokenKey | default $ca.Key }}`, `tls.crt: {{ .Values.core.tokenCert | default $ca.Cert }}`), so a half-set pair is mixed with a fresh random CA on every render. After a chart upgrade with carried-over values (Harbor 2.8.4 → 2.10.2 in goharbor/harbor#20629), the hard-coded key and secrets no longer match what the pods hold: ' +
        SYMPTOM +
        '.',
      example: {
        language: 'yaml',
        code: 'externalURL: https://harbor.example.com\ncore:\n  secret: carried0ver1234x\n  tokenCert: |\n    -----BEGIN CERTIFICATE-----\n    MIIDFTCCAf2gAwIBAgIUUzZrXQK3...\n    -----END CERTIFICATE-----',
      },
      fix:
        'The incident-1 fix (unsafe, it rotates credentials on purpose): blank `core.tokenKey`, `core.tokenCert` and the regenerable internal secrets together, so the chart generates a matching set. It never touches `secretKey` (it encrypts stored credentials: a new one silently turns them into garbage), the database passwords or `harborAdminPassword` (read once, then kept in the database). What happens next: the token key is then generated on every render (`genCA`, no `lookup`), so with more than one core replica or under GitOps put a key pair in a Secret and name it with `core.secretName` instead (`openssl genrsa -traditional -out tls.key 4096 && openssl req -new -x509 -key tls.key -out tls.crt -days 3650 -subj /`); the second fix sets `core.secretName` and you create the Secret. From chart 1.14 the internal secrets, once blank, keep the value already in the cluster (`lookup`). When `core.secretName` is set the pair is ignored, and the safe fix blanks it.',
      versions:
        'goharbor/harbor-helm ≥ 1.12 (tokenKey/tokenCert were added by PR #1389). Harbor 2.x core reads only `tls.key`, so a certificate mismatch is latent there (Harbor 1.x registries verified tokens against `tls.crt`, but those charts predate `tokenKey`/`tokenCert`).',
      evidence: [
        'goharbor/harbor#20629 = goharbor/harbor-helm#1780 (incident 1), #18796, #12199',
        'harbor-helm templates/core/core-secret.yaml:17-21, values.yaml:706-711',
        'goharbor/harbor-helm PR #1389, #2139',
      ],
    },
  },
  check(context) {
    for (const target of context.helmValues) checkTarget(context, target);
  },
});

function checkTarget(context: RuleContext, target: HelmValuesTarget): void {
  const { values } = target;
  // Before chart 1.12 the values did not exist (harbor-helm PR #1389): legacy-token-key reports the built-in pair.
  if (chartVersionVs(target.chartVersion, 1, 12) === 'below') return;
  const keySet = values.isSet('core.tokenKey');
  const certSet = values.isSet('core.tokenCert');
  if (!keySet && !certSet) return;
  const keyEntry = values.get('core.tokenKey');
  const certEntry = values.get('core.tokenCert');
  const stale = staleCredentialsFix(values);
  const useSecret = useTokenSecretFix(context.lines, values);
  // Moving to core.secretName also removes the pair, which the chart would then ignore.
  const secretFix = useSecret && {
    ...useSecret,
    title: `${useSecret.title}, drop the hard-coded pair`,
    edits: [...useSecret.edits, ...blankTokenPair(values)],
  };

  if (hasTokenSecret(values)) {
    const edits = blankTokenPair(values);
    const anchor = (keySet ? keyEntry : certEntry)!;
    context.report({
      span: anchor.keySpan,
      severity: 'info',
      message: 'core.tokenKey/core.tokenCert are ignored because core.secretName is set: edits to them have no effect',
      detail:
        'core.secretName is set, so the chart ignores core.tokenKey and core.tokenCert (`{{- if not .Values.core.secretName }}`): tokens are signed with the tls.key of that Secret. Remove the pair so nobody edits it believing it is in use.',
      fixes: edits.length > 0 ? [{ title: 'Blank the ignored core.tokenKey/core.tokenCert', safety: 'safe', edits }] : [],
    });
    return;
  }

  const fixes = (): Report['fixes'] => [stale, secretFix].filter((f): f is NonNullable<typeof f> => !!f);

  if (keySet !== certSet) {
    const entry = (keySet ? keyEntry : certEntry)!;
    const message = keySet
      ? 'core.tokenKey is set but core.tokenCert is empty: the chart pairs the key with a new CA certificate on every render'
      : 'core.tokenCert is set but core.tokenKey is empty: a new signing key on every render, so logins fail with crypto/rsa: verification error';
    const detail = keySet
      ? 'core.tokenKey is set but core.tokenCert is empty, so the chart pairs the key with the certificate of a CA it generates on every render (`default $ca.Cert`): values.yaml requires both or neither. Harbor 2.x core only reads tls.key, but the pair in the Secret never matches and changes on every upgrade.'
      : `core.tokenCert is set but core.tokenKey is empty, so the chart signs tokens with a new random key on every render (\`default $ca.Key\`), which this certificate does not belong to: after every upgrade, and between pods started before and after it, ${SYMPTOM}.`;
    context.report({ span: entry.keySpan, severity: 'error', message, detail, fixes: fixes() });
    return;
  }

  // Both set: compare when both are literal PEM (other rules explain unreadable keys).
  const key = inlinePem(values, 'core.tokenKey');
  const cert = inlinePem(values, 'core.tokenCert');
  const privateKey = privateKeyOf(key);
  const certificate = certificateOf(cert);
  if (privateKey && certificate) {
    const result = matchKeyAndCertificate(privateKey, cert!.objects);
    if (result.verdict === 'mismatch') {
      context.report({
        span: cert!.entry.keySpan,
        severity: 'warning',
        message: 'core.tokenCert does not belong to core.tokenKey: values pasted from different installs (latent in Harbor 2.x)',
        detail: `core.tokenCert does not belong to core.tokenKey (${result.reason}). Harbor 2.x core only reads tls.key, so this is latent today (Harbor 1.x registries verified tokens against this certificate), but a mismatched pair is the mark of values pasted from different installs: if ${SYMPTOM} after an upgrade, these values no longer match what the pods hold.`,
        related: [{ span: key!.entry.keySpan, message: 'the private key (core.tokenKey)' }],
        fixes: fixes(),
      });
      return;
    }
  }

  // A consistent pair carried over with the internal secrets (incident 1), outside GitOps,
  // where hard-coding them is the way to keep them stable (goharbor/harbor-helm#2139).
  if (isGitOps(target) || !key || !cert) return;
  const secrets = hardcodedRegenerable(values);
  if (secrets.length === 0) return;
  context.report({
    span: key.entry.keySpan,
    severity: 'info',
    message: 'core.tokenKey is carried over from an old release: after an upgrade docker login can fail with crypto/rsa: verification error',
    detail: `core.tokenKey/core.tokenCert are hard-coded together with ${secrets.map((e) => e.path.join('.')).join(', ')}, as in values carried over from an earlier install. If after a chart upgrade ${SYMPTOM}, these values no longer match what the pods hold: blank them together so the chart generates a matching set (never secretKey, which encrypts stored credentials).`,
    fixes: fixes(),
  });
}
