import { clip } from './support/message';
import { generatePassword } from '../secrets';
import type { TextEdit } from '../types';
import type { HelmValuesTarget } from '../yaml/harborYaml';
import { replaceEntry, replaceScalar } from '../yaml/edits';
import type { YamlMapView } from '../yaml/yamlModel';
import { defineRule, type Report, type RuleContext } from './rule';

/** Published defaults (research/harbor-rules.md §4). */
export const CHART_INTERNAL_DB_PASSWORD = 'changeit';
export const CHART_EXTERNAL_DB_SAMPLE_PASSWORD = 'password';
export const INSTALLER_DB_PASSWORD = 'root123';
/** harbor.cfg's Clair database password: `password` (own clair-db, Harbor 1.5) or `root123` (harbor-db, 1.6 and later). */
const LEGACY_CLAIR_DB_PASSWORDS = ['password', 'root123'];

const INIT_ONLY =
  'The harbor-db image applies the password only when it initialises an empty data volume: changing it here on an existing install makes core fail with password authentication failed for user "postgres", unless you first run ALTER USER postgres PASSWORD \'<new>\' in the database.';

const alterFirst = (where: string) => ({
  title: `Existing install: first run ALTER USER postgres PASSWORD '<new>' in ${where}, then put the same password here`,
  safety: 'display-only' as const,
  edits: [] as TextEdit[],
});
const GENERATE_TITLE = 'Replace with a generated password';
const GENERATE_NOTE = 'Only before the database is first initialised: it applies the password only then.';

export const defaultDatabasePassword = defineRule({
  meta: {
    id: 'default-database-password',
    catalogId: 'HB-DB-PW',
    title: "Database password left at Harbor's published default",
    appliesTo: ['helm-values', 'harbor-yml', 'harbor-cfg'],
    defaultSeverity: 'warning',
    fixSafety: 'unsafe',
    docs: {
      whatItDoes:
        "Reports database passwords left at the defaults Harbor ships: `database.internal.password: changeit` in chart values (unless `database.type: external`), `database.password: root123` in harbor.yml (unless `external_database` is configured), and `db_password = root123` in a Harbor 1.x harbor.cfg (`clair_db_password` at its defaults is reported as info: it is only used with `--with-clair`). With `database.type: external`, the chart's sample `database.external.password: password` is an error unless `database.external.existingSecret` is set.",
      why:
        'Anyone who can reach the database (the harbor-database Service in the cluster, the harbor-db container on the installer\'s network) can log in as `postgres` with a password that is printed in Harbor\'s own templates. The password is applied only when the database is first initialised, so changing the file later is not a fix on its own: core then fails with `password authentication failed for user "postgres"` (goharbor/harbor#11449, #16934). A sample external password left in place usually means the same error against the external database.',
      example: { language: 'yaml', code: 'database:\n  type: internal\n  internal:\n    password: changeit' },
      fix:
        'Before the first install, use a generated password (the unsafe quick fix writes one; for the chart\'s external database it points `database.external.existingSecret` at a Secret with key `password` instead). On an existing install, first change the password in the database with `ALTER USER postgres PASSWORD \'…\'` (the display-only fix says so), then in the file.',
      versions: 'All Harbor versions: the harbor-db image (and the MySQL/MariaDB of Harbor ≤1.5) set the password at initdb only.',
      evidence: [
        'goharbor/harbor make/photon/db/initdb.sh:35-51, docker-entrypoint.sh:35-79',
        'goharbor/harbor#11449, #16934, #12643, #15890',
        'goharbor/harbor-helm values.yaml:1098, 1115-1129; goharbor/harbor make/harbor.yml.tmpl:52',
      ],
    },
  },
  check(context) {
    for (const target of context.helmValues) checkHelmValues(context, target);
    if (context.installer) checkInstaller(context, context.installer);
    checkLegacyCfg(context);
  },
});

function checkHelmValues(context: RuleContext, { values }: HelmValuesTarget): void {
  const type = values.literalString('database.type')?.value ?? 'internal';
  if (values.get('database.type')?.generated) return;
  if (type === 'internal') {
    if (values.isSet('database.internal.existingSecret')) return;
    const password = values.get('database.internal.password');
    if (!password || password.generated || password.value !== CHART_INTERNAL_DB_PASSWORD) return;
    context.report({
      span: password.valueSpan,
      message: "database.internal.password is the chart's published default: anything in the cluster can log in to the database as postgres",
      detail: `database.internal.password is the chart's published default ${CHART_INTERNAL_DB_PASSWORD}: anything in the cluster that reaches the harbor-database Service can log in as postgres. ${INIT_ONLY}`,
      fixes: [
        alterFirst('the harbor-database pod (psql -U postgres)'),
        { title: GENERATE_TITLE, note: GENERATE_NOTE, safety: 'unsafe', edits: [replaceScalar(password, generatePassword(context.random))] },
      ],
    });
    return;
  }
  if (type !== 'external' || values.isSet('database.external.existingSecret')) return;
  const password = values.get('database.external.password');
  if (!password || password.generated || password.value !== CHART_EXTERNAL_DB_SAMPLE_PASSWORD) return;
  const existing = values.get('database.external.existingSecret');
  const user = values.literalString('database.external.username')?.value;
  const reference = 'harbor-database';
  context.report({
    span: password.valueSpan,
    severity: 'error',
    message: `database.external.password is the chart's sample value: core fails with password authentication failed for user "${clip(user ?? '…', 30)}"`,
    detail: `database.type is external but database.external.password is still the chart's sample value ${CHART_EXTERNAL_DB_SAMPLE_PASSWORD}: unless your database really uses it, core fails to start with password authentication failed for user "${user ?? '…'}", and if it does, anyone who knows the chart can log in.`,
    fixes: [
      {
        title: `Read the password from Secret "${reference}"`,
        note: 'Create the Secret first, with key "password".',
        safety: 'unsafe',
        edits: [existing ? replaceScalar(existing, reference) : replaceEntry(context.lines, password, [`existingSecret: ${reference}`])],
      },
    ],
  });
}

function checkInstaller(context: RuleContext, installer: YamlMapView): void {
  // With external_database configured, prepare ignores the database: section.
  if (installer.isSet('external_database')) return;
  const password = installer.get('database.password');
  if (!password || password.generated || String(password.value) !== INSTALLER_DB_PASSWORD) return;
  context.report({
    span: password.valueSpan,
    message: "database.password is the installer's published default: anyone who reaches harbor-db can log in as postgres",
    detail: `database.password is the installer's published default ${INSTALLER_DB_PASSWORD}: anyone who reaches the harbor-db container can log in as postgres. ${INIT_ONLY}`,
    fixes: [
      alterFirst('the harbor-db container (docker exec -it harbor-db psql -U postgres)'),
      { title: GENERATE_TITLE, note: GENERATE_NOTE, safety: 'unsafe', edits: [replaceScalar(password, generatePassword(context.random))] },
    ],
  });
}

function checkLegacyCfg(context: RuleContext): void {
  const entries = context.legacyCfg?.entries;
  if (!entries) return;
  const reports: Report[] = [];
  const db = entries.get('db_password');
  if (db?.value === INSTALLER_DB_PASSWORD) {
    const fresh = generatePassword(context.random);
    const edits: TextEdit[] = [{ span: db.valueSpan, newText: fresh }];
    // Harbor 1.6+ with Clair on harbor-db: Clair logs in with the same password, so it changes with it.
    const clairShared = entries.get('clair_db_password');
    if (clairShared?.value === db.value && entries.get('clair_db_host')?.value === entries.get('db_host')?.value) edits.push({ span: clairShared.valueSpan, newText: fresh });
    reports.push({
      span: db.valueSpan,
      message: "db_password is harbor.cfg's published default: anyone who reaches harbor-db can log in to the database",
      detail: `db_password is harbor.cfg's published default ${INSTALLER_DB_PASSWORD}: anyone who reaches the harbor-db container can log in to the database. The database applies the password only when it initialises an empty data volume: changing it here on an existing install breaks core's database connection (password authentication failed, or Access denied on Harbor ≤1.5's MySQL) unless you first change it in the database.`,
      fixes: [
        alterFirst('the harbor-db container'),
        { title: edits.length > 1 ? `${GENERATE_TITLE}, also as clair_db_password` : GENERATE_TITLE, note: GENERATE_NOTE, safety: 'unsafe', edits },
      ],
    });
  }
  const clair = entries.get('clair_db_password');
  // Harbor 1.6+ puts Clair's tables in harbor-db: the same password on the same host is the finding above.
  const sameDatabase = reports.length > 0 && clair?.value === db?.value && entries.get('clair_db_host')?.value === entries.get('db_host')?.value;
  if (clair && !sameDatabase && LEGACY_CLAIR_DB_PASSWORDS.includes(clair.value)) {
    reports.push({
      span: clair.valueSpan,
      severity: 'info',
      message: "clair_db_password is harbor.cfg's published default: Clair's database is open if installed --with-clair",
      detail: `clair_db_password is harbor.cfg's published default. It matters only if Harbor is installed with --with-clair; then, as for db_password, it is applied when Clair's database is first initialised, so change it in the database (ALTER USER) before changing it here.`,
      fixes: [alterFirst("Clair's database")],
    });
  }
  for (const report of reports) context.report(report);
}
