import { listShort } from './support/message';
import { defineRule } from './rule';
import { valuesMayComeFromElsewhere } from './support/valuesSources';
import { chartName, chartReads } from '../versions';
import { chartVersionVs, gitOpsName, REGENERABLE_SECRETS, valuesAnchor } from './support/token-credentials';

/** What each regenerated value is, and what to put in the Secret that replaces it. */
const FIELDS: Record<string, { what: string; secretKey: string; lookup: boolean }> = {
  'core.secret': { what: 'randAlphaNum 16', secretKey: '`secret` (16 characters)', lookup: true },
  'core.xsrfKey': { what: 'randAlphaNum 32', secretKey: '`CSRF_KEY` (exactly 32 characters)', lookup: true },
  'jobservice.secret': { what: 'randAlphaNum 16', secretKey: '`JOBSERVICE_SECRET` (16 characters)', lookup: true },
  'registry.secret': { what: 'randAlphaNum 16', secretKey: '`REGISTRY_HTTP_SECRET` (16 characters)', lookup: true },
  'registry.credentials.htpasswdString': { what: '`htpasswd`, with a random bcrypt salt', secretKey: '`REGISTRY_PASSWD` and `REGISTRY_HTPASSWD` (bcrypt)', lookup: false },
};

export const gitopsRandomValues = defineRule({
  meta: {
    id: 'gitops-random-values',
    catalogId: 'HB-GITOPS-RANDOM',
    title: 'Secrets the chart regenerates on every GitOps render',
    appliesTo: ['helm-values'],
    defaultSeverity: 'warning',
    fixSafety: 'display-only',
    docs: {
      whatItDoes:
        'For chart values inside an Argo CD Application or a Flux HelmRelease, lists the values the chart generates randomly when they are empty and no existingSecret replaces them: `core.secret` (`core.existingSecret`), `core.xsrfKey` (`core.existingXsrfSecret`), `jobservice.secret` (`jobservice.existingSecret`), `registry.secret` (`registry.existingSecret`) and `registry.credentials.htpasswdString` (`registry.credentials.existingSecret`). The token signing key is reported by `token-key-not-shared`. Not reported when Flux `valuesFrom` or Argo CD `valueFiles`/`parameters` add other values, the usual place for these secrets.',
      why:
        'Argo CD renders with `helm template`, where `lookup` returns nothing, so `randAlphaNum` and `htpasswd` produce new Secret data on every sync: the application never stays in sync, pods restart through the `checksum/secret` annotations, and core and jobservice can briefly hold different secrets (goharbor/harbor-helm#947, #2263). Flux runs Helm with cluster access, so from chart 1.14 `lookup` keeps these values there; with an older chart they change on every upgrade.',
      example: {
        language: 'yaml',
        code: 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  source:\n    chart: harbor\n    targetRevision: 1.16.0\n    helm:\n      valuesObject:\n        externalURL: https://harbor.example.com',
      },
      fix:
        'Keep each value in a Secret sourced from your secret manager (External Secrets, SOPS, Sealed Secrets) and name it with the existingSecret setting listed in the finding, with the key names it lists. The finding carries this as guidance only: the Secrets must exist first.',
      versions: 'goharbor/harbor-helm 1.14.0 added `lookup` for the internal secrets (commit fb00e21); it does not help under `helm template`.',
      evidence: ['goharbor/harbor-helm#2139, #2263, #947, #1102, PR #1123, PR #1612', 'linode/apl-core#1110, #1230', 'bitnami/charts#30852'],
    },
  },
  check(context) {
    for (const target of context.helmValues) {
      if (target.location !== 'argo' && target.location !== 'flux') continue;
      const { values } = target;
      // Flux has cluster access: lookup keeps the values from chart 1.14 on (assumed when the version is open).
      const lookupWorks = target.location === 'flux' && chartVersionVs(target.chartVersion, 1, 14) !== 'below';
      if (lookupWorks) continue;
      // The values files or valuesFrom Secret may well hold these (the usual place for secrets).
      if (valuesMayComeFromElsewhere(context, target)) continue;
      // Only what this chart version generates; the existingSecret alternatives came with chart 1.10-1.14.
      const generated = REGENERABLE_SECRETS.filter(({ path }) => chartReads(target, path) !== false || (path === 'registry.credentials.htpasswdString' && chartReads(target, 'registry.credentials.password') !== false));
      const missing = generated.filter(({ path, alternative }) => !values.isSet(path) && !values.isSet(alternative));
      if (missing.length === 0) continue;
      const list = missing.map(({ path, alternative }) =>
        chartReads(target, alternative) === false
          ? `${path} (${FIELDS[path].what}; ${chartName(target)} has no ${alternative}, so set the value itself or upgrade)`
          : `${path} (${FIELDS[path].what}; or ${alternative} with ${FIELDS[path].secretKey})`,
      );
      const withSecret = missing.filter(({ alternative }) => chartReads(target, alternative) !== false);
      const when = target.location === 'argo' ? 'on every sync' : `on every upgrade (chart ${target.chartVersion} predates the \`lookup\` of chart 1.14)`;
      context.report({
        span: valuesAnchor(values),
        message: `${listShort(missing.map((m) => m.path))} ${missing.length === 1 ? 'is' : 'are'} regenerated ${target.location === 'argo' ? 'on every Argo CD sync' : 'on every Flux upgrade'}: pods restart and components briefly get 401`,
        detail: `These values are rendered by ${gitOpsName(target)}, and the chart generates new random values ${when} for: ${list.join('; ')}. The Secret changes each time, pods restart through \`checksum/secret\`, and core and jobservice can briefly disagree (\`401\` between components).`,
        fixes: withSecret.length > 0
          ? [
              {
                title: `Keep ${withSecret.map((m) => m.path).join(', ')} in Secrets from your secret manager and name them with ${withSecret.map((m) => m.alternative).join(', ')}`,
                safety: 'display-only',
                edits: [],
              },
            ]
          : [{ title: `Set ${missing.map((m) => m.path).join(', ')} to stable values from your secret manager (${chartName(target)} cannot read them from a Secret)`, safety: 'display-only', edits: [] }],
      });
    }
  },
});
