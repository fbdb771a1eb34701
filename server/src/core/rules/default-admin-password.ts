import { generatePassword } from '../secrets';
import type { TextEdit } from '../types';
import { replaceScalar, insertFirstInMap, replaceEntry } from '../yaml/edits';
import type { HelmValuesTarget } from '../yaml/harborYaml';
import { defineRule, type ReportFix, type RuleContext } from './rule';
import { valuesMayComeFromElsewhere } from './support/valuesSources';
import { chartName, chartReads } from '../versions';

/** The password that the chart's values.yaml and the installer's harbor.yml.tmpl ship with. */
export const HARBOR_DEFAULT_ADMIN_PASSWORD = 'Harbor12345';

const SECRET_NAME = 'harbor-admin-password';
const FIRST_START_ONLY =
  'It only takes effect on the first start: afterwards the password lives in the database ("Admin password from config (HARBOR_ADMIN_PASSWORD) ignored: password already exists in database"), so on an existing install change it in the Harbor UI.';

export const defaultAdminPassword = defineRule({
  meta: {
    id: 'default-admin-password',
    catalogId: 'HB-ADMIN-PW',
    title: "Admin password left at Harbor's published default",
    appliesTo: ['helm-values', 'harbor-yml', 'harbor-cfg'],
    defaultSeverity: 'warning',
    fixSafety: 'unsafe',
    docs: {
      whatItDoes:
        "Reports an admin password that is Harbor's published default `Harbor12345`: `harborAdminPassword` in chart values, `harbor_admin_password` in harbor.yml or harbor.cfg. In chart values it also reports an override file that sets neither `harborAdminPassword` nor `existingSecretAdminPassword`, because the chart then uses its default.",
      why:
        "Anyone who knows the default can `docker login` as `admin` and push, pull or delete every image. The value is read once, on the first start; after that core logs `Admin password from config (HARBOR_ADMIN_PASSWORD) ignored: password already exists in database` and changing the file does nothing, except that the chart's exporter reads the new value and starts failing (goharbor/harbor-helm#2408).",
      example: { language: 'yaml', code: 'externalURL: https://harbor.example.com\nharborAdminPassword: Harbor12345' },
      fix:
        'For the chart, keep the password in a Secret and name it with `existingSecretAdminPassword` (key `HARBOR_ADMIN_PASSWORD`, or the one in `existingSecretAdminPasswordKey`); the quick fix writes that reference, and you create the Secret. For harbor.yml, the quick fix puts a generated password in place, which is what the installer reads on first install. Both fixes are unsafe: they only help before the first start; on an existing install change the password in the Harbor UI.',
      versions: 'All Harbor versions. `existingSecretAdminPassword` exists in goharbor/harbor-helm since 1.12; with an older chart (when the version is known) the key is ignored, so the default still applies, and the fix generates a password instead.',
      evidence: ['goharbor/harbor-helm#1000, #1663, #1839, #2408', 'goharbor/harbor src/core/main.go:108-110', 'harbor-helm templates/core/core-secret.yaml:22-24'],
    },
  },
  check(context) {
    for (const target of context.helmValues) checkHelmValues(context, target);
    if (context.installer) {
      const password = context.installer.literalString('harbor_admin_password');
      if (password?.value === HARBOR_DEFAULT_ADMIN_PASSWORD) {
        context.report({
          span: password.entry.valueSpan,
          message: "harbor_admin_password is Harbor's published default: anyone can log in as admin",
          detail: `harbor_admin_password is Harbor's published default, so anyone can log in as admin. ${FIRST_START_ONLY}`,
          fixes: [generatedPasswordFix(replaceScalar(password.entry, generatePassword(context.random)))],
        });
      }
    }
    const cfgEntry = context.legacyCfg?.entries.get('harbor_admin_password');
    if (cfgEntry?.value === HARBOR_DEFAULT_ADMIN_PASSWORD) {
      context.report({
        span: cfgEntry.valueSpan,
        message: "harbor_admin_password is Harbor's published default: anyone can log in as admin",
        detail: `harbor_admin_password is Harbor's published default, so anyone can log in as admin. ${FIRST_START_ONLY}`,
        fixes: [generatedPasswordFix({ span: cfgEntry.valueSpan, newText: generatePassword(context.random) })],
      });
    }
  },
});

/** A generated password in place of the default: unsafe, since the installer and the chart apply it on the first start only. */
function generatedPasswordFix(edit: TextEdit): ReportFix {
  return { title: 'Replace with a generated password', note: 'It takes effect on the first install only.', safety: 'unsafe', edits: [edit] };
}

function checkHelmValues(context: RuleContext, target: HelmValuesTarget): void {
  const { values } = target;
  const secret = values.isSet('existingSecretAdminPassword') ? values.get('existingSecretAdminPassword') : undefined;
  // Charts before 1.12 (and the Carvel package) do not read existingSecretAdminPassword: there it neither
  // protects the password nor can a fix write it.
  const secretRead = target.location !== 'carvel' && chartReads(target, 'existingSecretAdminPassword') !== false;
  const password = values.get('harborAdminPassword');
  // The chart skips harborAdminPassword entirely when an existing Secret is named.
  if (secret && secretRead) return;
  const generated = (entry: NonNullable<typeof password>) => generatedPasswordFix(replaceScalar(entry, generatePassword(context.random)));
  const useSecret = {
    title: `Read the admin password from Secret "${SECRET_NAME}"`,
    note: 'Create the Secret first, with key HARBOR_ADMIN_PASSWORD.',
    safety: 'unsafe' as const,
  };
  const literalDefault = !!password && !password.generated && password.value === HARBOR_DEFAULT_ADMIN_PASSWORD;
  if (target.location === 'carvel') {
    // The Carvel package's schema requires the value: only a literal default is reported.
    if (literalDefault) {
      context.report({
        span: password!.valueSpan,
        message: "harborAdminPassword is Harbor's published default: anyone can log in as admin",
        detail: `harborAdminPassword is Harbor's published default, so anyone can log in as admin. ${FIRST_START_ONLY}`,
        fixes: [{ ...generated(password!), title: 'Replace with a generated password (takes effect on first install only)', note: undefined }],
      });
    }
    return;
  }
  if (secret && !password) {
    // A chart that does not read the Secret's name uses its own default password.
    const chart = chartName(target);
    context.report({
      span: secret.keySpan,
      message: `${chart} does not read existingSecretAdminPassword (chart 1.12 and later do): the default admin password applies, anyone can log in`,
      detail: `existingSecretAdminPassword arrived in goharbor/harbor-helm 1.12. ${chart[0].toUpperCase()}${chart.slice(1)} ignores it and sets the admin password from harborAdminPassword, which these values leave at the chart's default ${HARBOR_DEFAULT_ADMIN_PASSWORD}: anyone can log in as admin. Upgrade the chart to 1.12 or later, or set harborAdminPassword (from a secret store, not in Git). ${FIRST_START_ONLY}`,
      fixes: [],
    });
    return;
  }
  if (!password) {
    // Flux valuesFrom or Argo valueFiles may well carry the password: omission proves nothing there.
    if (valuesMayComeFromElsewhere(context, target)) return;
    const firstKey = values.entries()[0];
    context.report({
      // On the key that holds the values (wrapper, HelmRelease, Argo); in a plain file, its first key.
      span: target.holder ?? (firstKey ? firstKey.keySpan : values.span),
      message: "Neither harborAdminPassword nor existingSecretAdminPassword is set: the published default applies, anyone can log in as admin",
      detail: `These values set neither harborAdminPassword nor existingSecretAdminPassword, so the chart's default admin password ${HARBOR_DEFAULT_ADMIN_PASSWORD} applies and anyone can log in as admin. ${FIRST_START_ONLY}`,
      fixes: secretRead ? [{ ...useSecret, edits: [insertFirstInMap(context.lines, values, [`existingSecretAdminPassword: ${SECRET_NAME}`])] }] : [],
    });
    return;
  }
  if (literalDefault) {
    context.report({
      span: password.valueSpan,
      message: "harborAdminPassword is Harbor's published default: anyone can log in as admin",
      detail: `harborAdminPassword is Harbor's published default, so anyone can log in as admin. ${FIRST_START_ONLY}`,
      // Before chart 1.12 the Secret's name is not read: a generated password is the fix there.
      fixes: [secretRead ? { ...useSecret, edits: [replaceEntry(context.lines, password, [`existingSecretAdminPassword: ${SECRET_NAME}`])] } : generated(password)],
    });
  }
}
