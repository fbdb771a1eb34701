import { generatePassword } from '../secrets';
import type { HelmValuesTarget } from '../yaml/harborYaml';
import { replaceScalar } from '../yaml/edits';
import { defineRule, type RuleContext } from './rule';

/** goharbor/harbor-helm 1.17 ships Harbor 2.13, the first to reject a bad key outright (PR #21154). */
function rejectsBadKey(chartVersion: string | undefined): boolean | undefined {
  const match = /^v?(\d+)\.(\d+)\./.exec(chartVersion ?? '');
  if (!match) return undefined;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 1 || (major === 1 && minor >= 17);
}

export const csrfKeyLength = defineRule({
  meta: {
    id: 'csrf-key-length',
    catalogId: 'HB-CSRF-KEY',
    title: 'core.xsrfKey is not exactly 32 characters',
    appliesTo: ['helm-values'],
    defaultSeverity: 'error',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        'Reports a `core.xsrfKey` in chart values that is set but not exactly 32 characters. An empty value is fine (the chart generates 32 characters and keeps them with `lookup`), and so is a key read from `core.existingXsrfSecret`.',
      why:
        'Up to Harbor 2.12, each core process replaces a bad key with a random one ("Invalid CSRF key from environment: …, generating random key…"), so with more than one core replica the portal\'s POST, PUT and DELETE requests fail at random with `CSRF token invalid`. From Harbor 2.13 (chart 1.17) every CSRF-protected request fails: "invalid CSRF key length from the environment. Please ensure the key length is 32 characters".',
      example: { language: 'yaml', code: 'externalURL: https://harbor.example.com\ncore:\n  xsrfKey: my-own-csrf-key' },
      fix: 'The safe quick fix puts a generated 32-character key in its place (`openssl rand -hex 16` gives one too). The key only signs short-lived CSRF tokens, so replacing it costs at most a page reload.',
      versions: 'Harbor ≤2.12: random key per core process. Harbor ≥2.13 (goharbor/harbor-helm ≥1.17): hard failure.',
      evidence: ['goharbor/harbor src/server/middleware/csrf/csrf.go:72-80; v2.11.2 csrf.go:69-73; PR #21154', 'goharbor/harbor#21060, #13169, #15313', 'goharbor/harbor-helm values.yaml:712-715'],
    },
  },
  check(context) {
    for (const target of context.helmValues) checkKey(context, target);
  },
});

function checkKey(context: RuleContext, { values, chartVersion }: HelmValuesTarget): void {
  if (values.isSet('core.existingXsrfSecret')) return;
  const entry = values.get('core.xsrfKey');
  if (!entry || entry.generated || entry.value === null || entry.value === undefined || String(entry.value) === '') return;
  const length = Buffer.byteLength(String(entry.value), 'utf8');
  if (length === 32) return;
  const strict = rejectsBadKey(chartVersion);
  const consequence =
    strict === true
      ? `with chart ${chartVersion} (Harbor ≥2.13) every portal POST, PUT and DELETE fails: "invalid CSRF key length from the environment. Please ensure the key length is 32 characters"`
      : strict === false
        ? `with chart ${chartVersion} (Harbor ≤2.12) each core pod uses its own random key instead, so with more than one replica portal actions fail at random with "CSRF token invalid" (Harbor ≥2.13 rejects it outright)`
        : 'Harbor ≤2.12 gives each core pod its own random key instead (portal actions fail at random with "CSRF token invalid" as soon as there are two replicas), and Harbor ≥2.13 fails every portal POST, PUT and DELETE ("invalid CSRF key length from the environment")';
  context.report({
    span: entry.valueSpan,
    message: `core.xsrfKey is ${length} characters, not 32: ${strict === false ? 'portal actions fail at random with "CSRF token invalid"' : 'portal actions fail ("invalid CSRF key length" from Harbor 2.13)'}`,
    detail: `core.xsrfKey is ${length} characters, not 32: ${consequence}.`,
    fixes: [{ title: 'Replace with a generated 32-character key', safety: 'safe', edits: [replaceScalar(entry, generatePassword(context.random, 32))] }],
  });
}
