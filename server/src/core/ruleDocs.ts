/** Renders a rule's metadata as its docs page (docs/rules/<id>.md); the SARIF help text uses it too. */
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
    `| Fixtures | \`test/fixtures/${meta.id}/\` |`,
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
