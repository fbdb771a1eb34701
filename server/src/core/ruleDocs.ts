/**
 * Renders a rule's metadata as its docs page (docs/rules/<id>.md), which ships
 * in the .vsix and is the SARIF help text: written for users, so nothing about
 * where its tests live. Also the JSON schema of the `harborAudit.rules` setting.
 */
import { LOG_LINES_NOT_READ } from './logs/document';
import { SIGNATURES } from './logs/signatures';
import { ruleCatalog } from './rules/registry';
import type { RuleMeta } from './rules/rule';

const SAFETY_TEXT = {
  safe: 'safe: it keeps what you meant and may run in "Fix all"',
  unsafe: 'unsafe: it changes behaviour on purpose, so it only runs when you pick it',
  'display-only': 'display-only: guidance without an edit, because any automatic change could lose data',
  none: 'none',
} as const;

export function renderRuleDoc(meta: RuleMeta): string {
  const { docs } = meta;
  const lines = [
    `# ${meta.id}: ${meta.title}`,
    '',
    `| | |`,
    `|---|---|`,
    `| Catalog id | ${meta.catalogId ?? '(input check)'} |`,
    `| Default severity | ${meta.defaultSeverity} |`,
    `| Files | ${meta.appliesTo.filter((kind) => kind !== 'not-harbor').join(', ')} |`,
    `| Quick fix | ${SAFETY_TEXT[meta.fixSafety]} |`,
    '',
    '## What it does',
    '',
    docs.whatItDoes,
    '',
    '## Why is this bad?',
    '',
    docs.why,
    '',
    '## Example',
    '',
    '```' + docs.example.language,
    docs.example.code,
    '```',
    '',
    '## Fix',
    '',
    docs.fix,
    '',
  ];
  if (docs.versions) lines.push('## Versions', '', docs.versions, '');
  if (docs.evidence?.length) lines.push('## Evidence', '', ...docs.evidence.map((item) => `- ${item}`), '');
  lines.push(
    '## Suppress',
    '',
    '```',
    `# harbor-audit-disable-next-line ${meta.id} -- <reason>`,
    `# harbor-audit-disable-file ${meta.id} -- <reason>`,
    '```',
    '',
    `Or set its severity in \`.harbor-audit.yaml\` (\`rules: { ${meta.id}: off }\`) or in the VS Code setting \`harborAudit.rules\`.`,
    '',
  );
  return lines.join('\n');
}

const SEVERITY_SETTING = { type: 'string', enum: ['off', 'hint', 'info', 'warning', 'error'] } as const;

/** `harborAudit.rules` in package.json: every rule id and catalog id, with its title, is suggested and checked. */
export function rulesSettingSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const meta of ruleCatalog) properties[meta.id] = { ...SEVERITY_SETTING, description: meta.title };
  const byCatalog = new Map<string, RuleMeta[]>();
  for (const meta of ruleCatalog) if (meta.catalogId) byCatalog.set(meta.catalogId, [...(byCatalog.get(meta.catalogId) ?? []), meta]);
  for (const [catalogId, metas] of byCatalog) {
    properties[catalogId] = { ...SEVERITY_SETTING, description: `${metas.map((meta) => meta.title).join('; ')} (${metas.map((meta) => meta.id).join(', ')})` };
  }
  // Log lines the editor explains, by signature id (information by default).
  for (const signature of SIGNATURES) {
    const rule = properties[signature.id] as { description: string } | undefined;
    const description = `Log line: ${signature.title}`;
    properties[signature.id] = { ...SEVERITY_SETTING, description: rule ? `${rule.description}; and the ${description[0].toLowerCase()}${description.slice(1)}` : description };
  }
  properties[LOG_LINES_NOT_READ] = { ...SEVERITY_SETTING, description: 'Log: the note where the editor stops explaining a very long log' };
  return {
    type: 'object',
    scope: 'resource',
    default: {},
    properties,
    propertyNames: { enum: Object.keys(properties) },
    additionalProperties: SEVERITY_SETTING,
    markdownDescription: 'Severity per rule id (or `HB-*` catalog id, or log signature id): `off`, `hint`, `info`, `warning` or `error`. Overrides `.harbor-audit.yaml`.',
  };
}
