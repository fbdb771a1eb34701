import { generatePassword } from '../secrets';
import type { HelmValuesTarget } from '../yaml/harborYaml';
import { replaceScalar } from '../yaml/edits';
import { defineRule, type RuleContext } from './rule';

const SECRETS = [
  { path: 'core.secret', existing: 'core.existingSecret', what: 'core and jobservice authenticate internal calls with it' },
  { path: 'jobservice.secret', existing: 'jobservice.existingSecret', what: 'jobservice and core authenticate each other with it' },
  { path: 'registry.secret', existing: 'registry.existingSecret', what: "it is the registry's http.secret, which signs upload state" },
] as const;

export const internalSecretLength = defineRule({
  meta: {
    id: 'internal-secret-length',
    catalogId: 'HB-INTERNAL-SECRET-LEN',
    title: 'core, jobservice or registry secret is not 16 characters',
    appliesTo: ['helm-values'],
    defaultSeverity: 'warning',
    fixSafety: 'unsafe',
    docs: {
      whatItDoes:
        'Reports `core.secret`, `jobservice.secret` or `registry.secret` in chart values when it is set but not 16 characters, the length the chart documents ("Must be a string of 16 chars"). Empty values are fine (the chart generates them and keeps them with `lookup`), and so are values read from the matching `existingSecret`.',
      why:
        'The chart and Harbor\'s installer only ever produce 16-character secrets, and that is the only length the chart supports. No start-up check in Harbor\'s code has been found, so a wrong length may not fail visibly; it is reported as a warning so that the value is brought in line before an upgrade starts enforcing it.',
      example: { language: 'yaml', code: 'externalURL: https://harbor.example.com\ncore:\n  secret: my-core-secret' },
      fix: 'The quick fix puts a generated 16-character value in its place. It is unsafe because it changes a live credential: the chart restarts the pods that share it (checksum annotations), and jobs running during the rollout may fail. Better, keep it in a Secret named by the matching `existingSecret`.',
      versions: 'All goharbor/harbor-helm versions. Harbor\'s own enforcement of the length is unverified (research/harbor-rules.md §6.5).',
      evidence: ['goharbor/harbor-helm values.yaml:695, 803, 896 ("Must be a string of 16 chars")', 'distribution docs/configuration.md:810 (http.secret shared by all replicas)'],
    },
  },
  check(context) {
    for (const target of context.helmValues) checkSecrets(context, target);
  },
});

function checkSecrets(context: RuleContext, { values }: HelmValuesTarget): void {
  for (const secret of SECRETS) {
    if (values.isSet(secret.existing)) continue;
    const entry = values.get(secret.path);
    if (!entry || entry.generated || entry.value === null || entry.value === undefined || String(entry.value) === '') continue;
    const length = Buffer.byteLength(String(entry.value), 'utf8');
    if (length === 16) continue;
    context.report({
      span: entry.valueSpan,
      message: `${secret.path} is ${length} characters, not 16: outside what the chart and installer produce (no known failure yet)`,
      detail: `${secret.path} is ${length} characters; the chart requires a string of 16 (${secret.what}). No length check is known in Harbor itself, so nothing may fail yet, but it is outside what the chart and the installer produce.`,
      fixes: [{ title: 'Replace with a generated 16-character secret', note: 'Restarts the pods that share it.', safety: 'unsafe', edits: [replaceScalar(entry, generatePassword(context.random, 16))] }],
    });
  }
}
