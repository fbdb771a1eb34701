import { findRobotNameSites } from '../scripts/robotNames';
import { defineRule } from './rule';

const EXPANDERS = { shell: 'the shell', make: 'make', compose: 'docker compose' } as const;

export const robotNameQuoting = defineRule({
  meta: {
    id: 'robot-name-quoting',
    catalogId: 'HB-ROBOT-NAME-QUOTING',
    title: 'A robot account name loses its $ to the shell, make or compose',
    appliesTo: ['harbor-client'],
    defaultSeverity: 'warning',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        "Reports a Harbor robot account name (`robot$name`, `robot$project+name`) written where its `$` is expanded: unquoted or in double quotes in shell code (scripts, CI steps, Jenkins `sh '…'`), anywhere in a Makefile (make reads `$t` as its own variable, even inside the shell's single quotes), and in docker compose values or a `.env` file's unquoted or double-quoted values (compose interpolates `$name`). A `$name` that the file assigns itself, or that is written in capitals (an environment variable), is taken as meant and not reported. The prefix is Harbor's default `robot$`; set `robot_name_prefix` in `.harbor-audit.yaml` if your Harbor's system setting of that name differs (a prefix without `$` has nothing to lose).",
      why:
        "Harbor names robot accounts `robot$<name>` (system robots, Harbor 1.x project robots) or `robot$<project>+<name>` (project robots since 2.2). Written as `\"robot$team+ci\"` in a shell, `$team` is an (empty) shell variable, so `docker login` or `curl -u` sends `robot+ci`; make turns `robot$team+ci` into `robot` followed by make's variable `$t` and `eam+ci`; compose substitutes `$team` with an empty string (with a warning). Harbor then sees a user that does not exist and answers `401 Unauthorized` (`unauthorized: authentication required` from `docker login`), although the name and secret are right.",
      example: { language: 'sh', code: 'docker login -u "robot$team+ci" --password-stdin harbor.example.com <<<"$ROBOT_SECRET"' },
      fix:
        "Keep the `$` literal: single quotes in a shell (`-u 'robot$team+ci'`) or a backslash (`\"robot\\$team+ci\"`); `$$` in a Makefile (and `\\$$` when the shell would expand it again); `$$` in a compose file; single quotes around the value in `.env`. The quick fix writes the escape each place needs; it is safe, because an expanded `$name` can only ever have been a mistake in a robot name.",
      versions: 'All Harbor versions; the prefix is a system setting (`robot_name_prefix`) in Harbor 2.x.',
      evidence: [
        'research catalog §0.1 item 5 and rule 13: robot accounts authenticate as `robot$name:secret`, and "the `$` needs single quotes in shells"',
        'goharbor/terraform-provider-harbor harbor_config_system (`robot_name_prefix`: the system setting that replaces `robot$`)',
        'docker compose docs, Interpolation: `$$` for a literal dollar sign; env-file syntax: single-quoted values are literal',
        'GNU make manual, Variables: `$$` stands for a dollar sign in recipes',
      ],
    },
  },
  check({ script, robotNamePrefix, report }) {
    if (!script) return;
    for (const site of findRobotNameSites(script, robotNamePrefix)) {
      report({
        span: site.span,
        message: `${EXPANDERS[site.expander]} expands ${site.variable} in this robot account name: Harbor gets another user and answers 401 Unauthorized`,
        detail: `Harbor names robot accounts \`robot$<project>+<name>\` (the prefix is \`robot_name_prefix\`, \`robot$\` by default). Here ${EXPANDERS[site.expander]} reads \`${site.variable}\` as a variable and replaces it, usually with nothing, so the login Harbor receives is a different, unknown user: \`docker login\` and API calls answer \`401 Unauthorized\` although the robot and its secret are right. Write the name in single quotes in a shell, or escape the \`$\` as the tool needs (\`$$\` in a Makefile or a docker compose file).`,
        fixes: site.fix ? [{ title: site.fix.title, safety: 'safe', edits: site.fix.edits }] : [{ title: "Keep the $ literal: single quotes ('robot$…') or \\$", safety: 'display-only', edits: [] }],
      });
    }
  },
});
