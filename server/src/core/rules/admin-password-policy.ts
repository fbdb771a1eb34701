import { isGeneratedValue } from '../decode';
import { generatePassword } from '../secrets';
import type { Span, TextEdit } from '../types';
import { replaceScalar } from '../yaml/edits';
import type { YamlEntry } from '../yaml/yamlModel';
import { defineRule, type RuleContext } from './rule';

/** Harbor's password policy (src/server/v2.0/handler/user.go): Go's len() counts bytes. */
export const PASSWORD_MIN_BYTES = 8;
export const PASSWORD_MAX_BYTES = 128;

/** What a password lacks under Harbor's policy, as short clauses; empty when it complies. */
export function passwordPolicyGaps(password: string): string[] {
  const gaps: string[] = [];
  const bytes = new TextEncoder().encode(password).length;
  if (bytes < PASSWORD_MIN_BYTES) gaps.push(`${bytes} character${bytes === 1 ? '' : 's'}`);
  if (bytes > PASSWORD_MAX_BYTES) gaps.push(`${bytes} characters`);
  const missing = [!/[A-Z]/.test(password) && 'upper-case letter', !/[a-z]/.test(password) && 'lower-case letter', !/[0-9]/.test(password) && 'digit'].filter((m): m is string => !!m);
  if (missing.length > 0) gaps.push(`no ${missing.length > 1 ? `${missing.slice(0, -1).join(', ')} or ${missing[missing.length - 1]}` : missing[0]}`);
  return gaps;
}

const DETAIL = [
  "Harbor accepts a password only with 8 to 128 characters, at least one upper-case letter, one lower-case letter and one digit (`src/server/v2.0/handler/user.go`).",
  '',
  "The admin password from the config is written to the database on the first start only, without that check: admin then has a password Harbor itself would refuse. Afterwards the config value is ignored (core logs `Admin password from config (HARBOR_ADMIN_PASSWORD) ignored: password already exists in database`), and a change in the UI or API must meet the policy.",
  '',
  'On a new install, use a compliant password (the quick fix generates one). On an existing install, change the password in the Harbor UI and keep the config in step, since the chart\'s exporter reads it.',
].join('\n');

const FIX_TITLE = 'Replace with a generated compliant password (first install only)';

export const adminPasswordPolicy = defineRule({
  meta: {
    id: 'admin-password-policy',
    catalogId: 'HB-ADMIN-PW',
    title: "Admin password does not meet Harbor's password policy",
    appliesTo: ['helm-values', 'harbor-yml', 'harbor-cfg'],
    defaultSeverity: 'warning',
    fixSafety: 'unsafe',
    docs: {
      whatItDoes:
        "Checks the admin password against Harbor's password policy (8 to 128 characters with at least one upper-case letter, one lower-case letter and one digit): `harborAdminPassword` in chart values, `harbor_admin_password` in harbor.yml and harbor.cfg. Templated values (`{{ }}`, `${VAR}`, ytt, SOPS `ENC[...]`), empty values and values the chart ignores because `existingSecretAdminPassword` is set are unknown, not findings. The published default `Harbor12345` meets the policy and is `default-admin-password`'s finding.",
      why:
        "The config's password is applied on the first start only, without the policy check, so admin gets a password Harbor would refuse anywhere else. Later changes through the UI or API are refused with `the password must be at least 8 characters long with at least 1 uppercase letter, 1 lowercase letter and 1 number` until they comply, and the config value is ignored from then on.",
      example: { language: 'yaml', code: 'hostname: registry.example.com\nharbor_admin_password: admin123\ndata_volume: /data' },
      fix:
        'Use a password of 8 to 128 characters with upper-case and lower-case letters and a digit. The quick fix puts in a generated 24-character one (letters and digits, no quoting needed); it is unsafe because it only takes effect before the first start. For the chart, prefer `existingSecretAdminPassword`.',
      versions: 'All Harbor versions with the v2.0 API (2.0 and later) enforce the policy on password changes.',
      evidence: ['goharbor/harbor src/server/v2.0/handler/user.go (validatePassword)', 'goharbor/harbor src/core/main.go (admin password from config applied once)'],
    },
  },
  check(context) {
    for (const { values } of context.helmValues) {
      // The chart ignores harborAdminPassword when an existing Secret holds the password.
      if (values.isSet('existingSecretAdminPassword')) continue;
      checkYamlEntry(context, values.get('harborAdminPassword'));
    }
    if (context.installer) checkYamlEntry(context, context.installer.get('harbor_admin_password'));
    const cfg = context.legacyCfg?.entries.get('harbor_admin_password');
    // harbor.cfg is read by Python's ConfigParser: the value is the rest of the line, as written.
    if (cfg) checkValue(context, 'harbor_admin_password', cfg.value, cfg.valueSpan, (password) => ({ span: cfg.valueSpan, newText: password }));
  },
});

function checkYamlEntry(context: RuleContext, entry: YamlEntry | undefined): void {
  if (!entry || entry.generated || entry.value === null || entry.value === undefined || typeof entry.value === 'object') return;
  // A number or boolean is written as its source text (`12345678`), which is what Harbor receives.
  const value = typeof entry.value === 'string' ? entry.value : entry.source.trim();
  checkValue(context, entry.key, value, entry.valueSpan, (password) => replaceScalar(entry, password));
}

function checkValue(context: RuleContext, key: string, value: string, span: Span, edit: (password: string) => TextEdit): void {
  // `XXXXXXXX` or `********`: a redacted value in a published config, not the password in use.
  if (value.trim() === '' || isGeneratedValue(value) || /^(.)\1*$/.test(value)) return;
  const gaps = passwordPolicyGaps(value);
  if (gaps.length === 0) return;
  context.report({
    span,
    message: `${key} has ${gaps.join(' and ')}: Harbor applies it unchecked on first start, and its UI refuses such passwords later.`,
    detail: DETAIL,
    fixes: [{ title: FIX_TITLE, safety: 'unsafe', edits: [edit(generatePassword(context.random))] }],
  });
}
