import { clip } from './support/message';
import { isLegacyChartTokenKey, LEGACY_CHART_TOKEN_KEY } from '../pki';
import type { ReportFix } from './rule';
import { defineRule } from './rule';
import { blankTokenPair, hasTokenSecret, inlinePem, usesBuiltInChartKey, useTokenSecretFix, valueEnd, valuesAnchor } from './support/token-credentials';

const ANYONE =
  'its private key was published in the goharbor/harbor-helm repository (until chart 1.12.0, PR #1389), so anyone can sign registry tokens that this Harbor accepts and push, pull or delete images as any user';

export const legacyTokenKey = defineRule({
  meta: {
    id: 'legacy-token-key',
    catalogId: 'HB-LEGACY-TOKEN-KEY',
    title: 'Token signing key is the public one from chart ≤ 1.11',
    appliesTo: ['helm-values'],
    defaultSeverity: 'error',
    fixSafety: 'unsafe',
    docs: {
      whatItDoes:
        `Reports a \`core.tokenKey\` or \`core.tokenCert\` whose public key is the token key pair that goharbor/harbor-helm shipped as its default up to 1.11.x (libtrust key ID \`${LEGACY_CHART_TOKEN_KEY.keyId}\`, RFC 7638 thumbprint \`${LEGACY_CHART_TOKEN_KEY.thumbprint}\`). When an Argo CD \`targetRevision\` or a Flux \`version\` pins the chart to 1.1–1.11.x and \`core.secretName\` is empty, it reports that the chart signs with that built-in pair.`,
      why:
        'The chart\'s own pair was committed to the repository ("Having the public token signing keys used by default essentially makes the Harbor Helm chart insecure by default", harbor-helm PR #1389). Whoever holds it can forge the bearer tokens `/service/token` issues, and core accepts them on every `/v2/` request.',
      example: { language: 'yaml', code: 'kind: HelmRelease\nspec:\n  chart:\n    spec:\n      chart: harbor\n      version: 1.10.2\n  values:\n    externalURL: https://harbor.example.com' },
      fix:
        'Create a new key pair (`openssl genrsa -traditional -out tls.key 4096 && openssl req -new -x509 -key tls.key -out tls.crt -days 3650 -subj /`), store it in a Secret and name it with `core.secretName`; the unsafe quick fix writes that reference (you create the Secret) and removes the published pair. On chart ≥ 1.12 removing the pair alone also works, but the chart then generates a new key on every render. Tokens already issued stop working, which is the point.',
      versions: 'goharbor/harbor-helm 1.1 to 1.11.x shipped the pair (commit 86525ee, removed in 1.12.0).',
      evidence: ['goharbor/harbor-helm PR #1389, commit 86525ee', 'bitnami/charts PR #15080'],
    },
  },
  check(context) {
    for (const target of context.helmValues) {
      const { values } = target;
      if (hasTokenSecret(values)) continue;
      const useSecret = useTokenSecretFix(context.lines, values);
      const secretFix: ReportFix | undefined = useSecret && {
        ...useSecret,
        title: `${useSecret.title}, drop the published pair`,
        edits: [...useSecret.edits, ...blankTokenPair(values)],
      };
      if (usesBuiltInChartKey(target)) {
        context.report({
          span: valuesAnchor(values),
          message: `Chart ${clip(target.chartVersion ?? '', 20)} with core.secretName empty signs tokens with its published key: anyone can forge a registry token`,
          detail: `Chart ${target.chartVersion} signs tokens with the key pair built into the chart, because core.secretName is empty: ${ANYONE}. Set core.secretName to a Secret with your own pair, or upgrade to chart ≥ 1.12.`,
          fixes: useSecret ? [useSecret] : [],
        });
        continue;
      }
      for (const path of ['core.tokenKey', 'core.tokenCert']) {
        const pem = inlinePem(values, path);
        if (!pem || !pem.objects.some((o) => isLegacyChartTokenKey(o.key))) continue;
        context.report({
          span: { start: pem.entry.valueSpan.start, end: valueEnd(values.yaml, pem.entry) },
          message: `${path} is the published key pair of chart ≤ 1.11: anyone can forge a registry token and act as any user`,
          detail: `${path} is the token key pair that goharbor/harbor-helm ≤ 1.11 shipped (key ID ${LEGACY_CHART_TOKEN_KEY.keyId}): ${ANYONE}.`,
          fixes: secretFix ? [secretFix] : [{ title: 'Remove the published pair', note: 'The chart then generates a new key on every render.', safety: 'unsafe', edits: blankTokenPair(values) }],
        });
        break;
      }
    }
  },
});
