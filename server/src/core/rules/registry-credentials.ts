import { generatePassword } from '../secrets';
import type { TextEdit } from '../types';
import type { HelmValuesTarget } from '../yaml/harborYaml';
import { replaceScalar } from '../yaml/edits';
import type { YamlEntry } from '../yaml/yamlModel';
import { defineRule, type RuleContext } from './rule';
import { BCRYPT_HASH, bcryptHash, bcryptVerify } from './support/bcrypt';

/** The chart's defaults for the credentials core and jobservice use against the registry (values.yaml:903-910). */
export const CHART_REGISTRY_USER = 'harbor_registry_user';
export const CHART_REGISTRY_PASSWORD = 'harbor_registry_password';

const REJECTED =
  'the registry rejects core\'s basic auth (registry log: error authenticating user "…": authentication failure), and docker push and pull through Harbor fail with 401 unauthorized (replication and scans too)';

export const registryCredentials = defineRule({
  meta: {
    id: 'registry-credentials',
    catalogId: 'HB-REGISTRY-CREDS',
    title: 'Internal registry credentials are the default or do not match htpasswdString',
    appliesTo: ['helm-values'],
    defaultSeverity: 'warning',
    fixSafety: 'unsafe',
    docs: {
      whatItDoes:
        "Checks `registry.credentials` in chart values, the basic-auth credentials core and jobservice use to talk to the registry (Harbor ≥2.0 proxies every `/v2/` request with them). Warns when `password` is the published default `harbor_registry_password`. When `htpasswdString` is set, it must be a bcrypt line (`user:$2y$…`), its user must be `registry.credentials.username`, and its hash must match `registry.credentials.password` (checked with bcrypt for costs up to 12); otherwise it is an error. Nothing is checked when `registry.credentials.existingSecret` is set (the `existing-secret-keys` rule checks that Secret's key names).",
      why:
        'With the default password, anything in the cluster that reaches the registry Service can push and pull directly, bypassing Harbor\'s projects and RBAC. With an htpasswd line that does not match what core sends, the registry logs `error authenticating user "harbor_registry_user": authentication failure` and every `docker push` and `docker pull` through Harbor fails with 401 (goharbor/harbor#21057); the values comment says "bcrypt is the only accepted hashing algorithm".',
      example: { language: 'yaml', code: 'registry:\n  credentials:\n    username: harbor_registry_user\n    password: harbor_registry_password' },
      fix:
        'Set a generated password (the unsafe quick fix writes one; when `htpasswdString` is set it recomputes that line too, with bcrypt). Without `htpasswdString`, changing the password is harmless: the chart renders the registry\'s htpasswd and core\'s environment from it together and restarts the pods. For a mismatched `htpasswdString`, the quick fix recomputes it from `username` and `password`. Better still, keep both in a Secret named by `registry.credentials.existingSecret` (keys `REGISTRY_PASSWD`, `REGISTRY_HTPASSWD`).',
      versions: 'Harbor ≥2.0 (core authenticates to the registry with basic auth since v2.0.0). `htpasswdString` and `credentials.existingSecret` exist in goharbor/harbor-helm since 1.10.',
      evidence: ['goharbor/harbor-helm values.yaml:903-910, templates/core/core-cm.yaml, templates/registry/registry-secret.yaml; PR #1123, #1102', 'goharbor/harbor src/server/registry/proxy.go:56-63', 'goharbor/harbor#21057'],
    },
  },
  check(context) {
    for (const target of context.helmValues) checkCredentials(context, target);
  },
});

function checkCredentials(context: RuleContext, { values }: HelmValuesTarget): void {
  const credentials = values.getMap('registry.credentials');
  if (!credentials || credentials.isSet('existingSecret')) return;
  const usernameEntry = credentials.get('username');
  const passwordEntry = credentials.get('password');
  const htpasswdEntry = credentials.get('htpasswdString');
  // Templated values are set elsewhere: nothing can be compared.
  if (usernameEntry?.generated || passwordEntry?.generated || htpasswdEntry?.generated) return;
  const username = stringOr(usernameEntry, CHART_REGISTRY_USER);
  const password = stringOr(passwordEntry, CHART_REGISTRY_PASSWORD);
  if (username === undefined || password === undefined) return;
  const htpasswd = htpasswdEntry && typeof htpasswdEntry.value === 'string' && htpasswdEntry.value.trim() !== '' ? htpasswdEntry.value.trim() : undefined;

  const htpasswdFor = (newPassword: string): string => {
    const salt = generatePassword(context.random, 22).replace(/[^./A-Za-z0-9]/g, '.');
    return `${username}:${bcryptHash(newPassword, `$2y$10$${salt}`)}`;
  };

  if (passwordEntry && password === CHART_REGISTRY_PASSWORD) {
    const fresh = generatePassword(context.random);
    const edits: TextEdit[] = [replaceScalar(passwordEntry, fresh)];
    if (htpasswd && htpasswdEntry) edits.push(replaceValue(htpasswdEntry, htpasswdFor(fresh)));
    context.report({
      span: passwordEntry.valueSpan,
      message: "registry.credentials.password is the chart's published default: anyone in the cluster can push and pull, bypassing RBAC",
      detail: `registry.credentials.password is the chart's published default ${CHART_REGISTRY_PASSWORD}${username === CHART_REGISTRY_USER ? ` (with the default user ${CHART_REGISTRY_USER})` : ''}: anything in the cluster that reaches the registry Service can push and pull directly, bypassing Harbor's projects and RBAC.`,
      fixes: [
        {
          title: htpasswd ? 'Replace with a generated password and recompute htpasswdString' : 'Replace with a generated password',
          ...(htpasswd ? {} : { note: 'The chart re-renders the htpasswd and restarts core, jobservice and the registry.' }),
          safety: 'unsafe',
          edits,
        },
      ],
    });
  }

  if (!htpasswd || !htpasswdEntry) return;
  const recompute = {
    title: 'Recompute htpasswdString from username and password',
    note: 'A bcrypt line from registry.credentials.username and registry.credentials.password.',
    safety: 'unsafe' as const,
    edits: [replaceValue(htpasswdEntry, htpasswdFor(password))],
  };
  const span = recompute.edits[0].span;
  const line = /^([^:\s]+):(\S+)$/.exec(htpasswd);
  if (!line || !BCRYPT_HASH.test(line[2])) {
    context.report({
      span,
      severity: 'error',
      message: 'registry.credentials.htpasswdString is not a bcrypt htpasswd line: push and pull through Harbor get 401 Unauthorized',
      detail: `registry.credentials.htpasswdString is not a bcrypt htpasswd line (user:$2y$…); the registry accepts bcrypt only: ${REJECTED}.`,
      fixes: [recompute],
    });
    return;
  }
  if (line[1] !== username) {
    context.report({
      span,
      severity: 'error',
      message: 'registry.credentials.htpasswdString is for another user than username: push and pull through Harbor get 401 Unauthorized',
      detail: `registry.credentials.htpasswdString is for another user than registry.credentials.username${usernameEntry ? '' : ` (default ${CHART_REGISTRY_USER})`}, which core and jobservice log in with: ${REJECTED}.`,
      fixes: [recompute],
    });
    return;
  }
  if (bcryptVerify(password, line[2]) === false) {
    context.report({
      span,
      severity: 'error',
      message: "registry.credentials.htpasswdString does not match the password: push and pull through Harbor get 401 Unauthorized",
      detail: `registry.credentials.htpasswdString does not match registry.credentials.password${passwordEntry ? '' : ` (default ${CHART_REGISTRY_PASSWORD})`}, which core and jobservice send: ${REJECTED}.`,
      fixes: [recompute],
    });
  }
}

/** replaceScalar, but a block scalar (`htpasswdString: >-`) keeps the line break that ends it. */
function replaceValue(entry: YamlEntry, value: string): TextEdit {
  const edit = replaceScalar(entry, value);
  const trailing = /\s*$/.exec(entry.source)![0].length;
  return { ...edit, span: { start: edit.span.start, end: edit.span.end - trailing } };
}

function stringOr(entry: YamlEntry | undefined, fallback: string): string | undefined {
  // Absent or null: the chart's default applies. An explicit "" is an empty password.
  if (!entry || entry.value === null || entry.value === undefined) return fallback;
  return typeof entry.value === 'string' || typeof entry.value === 'number' ? String(entry.value) : undefined;
}
