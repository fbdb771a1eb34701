/**
 * Joins log incidents with config findings (the likely causes, ranked) and
 * renders the result as JSON (a versioned contract), text and markdown. Pure:
 * the caller lints the configs and looks up key files.
 */
import { ruleCatalog } from '../rules/registry';
import { compareText } from '../text';
import type { Finding, Range } from '../types';
import type { Incident } from './explainer';

export interface ConfigReport {
  file: string;
  findings: Finding[];
}

export interface Cause {
  file: string;
  range: Range;
  ruleId: string;
  message: string;
  severity: Finding['severity'];
  fixes: string[];
}

export interface KeyMatch {
  keyId: string;
  file: string;
  type: string;
}

export interface ExplainedIncident extends Incident {
  /** Rule ids of every rule with one of the incident's catalog ids. */
  rules: string[];
  causes: Cause[];
  keyMatches: KeyMatch[];
}

const SEVERITY_RANK = { error: 0, warning: 1, info: 2, hint: 3 } as const;

export function joinCauses(incidents: readonly Incident[], reports: readonly ConfigReport[], keyMatches: readonly KeyMatch[] = []): ExplainedIncident[] {
  return incidents.map((incident) => {
    const rank = (catalogId: string | null) => (catalogId === null ? -1 : incident.catalogIds.indexOf(catalogId));
    const causes = reports
      .flatMap(({ file, findings }) => findings.filter((finding) => rank(finding.catalogId) >= 0).map((finding) => ({ file, finding })))
      .sort((a, b) => rank(a.finding.catalogId) - rank(b.finding.catalogId) || SEVERITY_RANK[a.finding.severity] - SEVERITY_RANK[b.finding.severity] || compareText(a.file, b.file) || a.finding.range.start.line - b.finding.range.start.line)
      .map(({ file, finding }) => ({
        file,
        range: finding.range,
        ruleId: finding.ruleId,
        message: finding.message,
        severity: finding.severity,
        fixes: finding.fixes.filter((fix) => fix.edits.length > 0).map((fix) => `(${fix.safety}) ${fix.title}`),
      }));
    const rules = ruleCatalog.filter((meta) => meta.catalogId !== null && incident.catalogIds.includes(meta.catalogId)).map((meta) => meta.id);
    return { ...incident, rules, causes, keyMatches: keyMatches.filter((match) => incident.keyIds.includes(match.keyId)) };
  });
}

/** The JSON contract (version 1): see README "Explain a log". */
export function formatExplainJson(incidents: readonly ExplainedIncident[]): string {
  return (
    JSON.stringify(
      {
        version: 1,
        incidents: incidents.map((incident) => ({
          signature: incident.signature,
          title: incident.title,
          lines: incident.lines,
          count: incident.count,
          explanation: incident.explanation,
          rules: incident.rules,
          keyIds: incident.keyIds,
          keyMatches: incident.keyMatches,
          causes: incident.causes.map(({ file, range, ruleId, message }) => ({ file, range, ruleId, message })),
        })),
      },
      null,
      2,
    ) + '\n'
  );
}

const where = (cause: Cause) => `${cause.file}:${cause.range.start.line + 1}:${cause.range.start.character + 1}`;
const lineList = (incident: Incident) =>
  incident.lines.map((l) => `${l.file}:${l.line}`).join(', ') + (incident.count > incident.lines.length ? ` (${incident.count} in all)` : '');

export function formatExplainText(incidents: readonly ExplainedIncident[], configsGiven: boolean): string {
  if (incidents.length === 0) return 'Nothing recognised: no line matches a known Harbor, registry or proxy error.\n';
  const out: string[] = [];
  for (const incident of incidents) {
    out.push(`${incident.title} [${incident.signature}]`);
    out.push(`  seen at: ${lineList(incident)}`);
    if (incident.excerpt) out.push(`  > ${incident.excerpt}`);
    out.push(...wrap(incident.explanation, 2));
    for (const match of incident.keyMatches) out.push(`  key ID ${match.keyId} is the ${match.type} in ${match.file}`);
    for (const id of incident.keyIds.filter((id) => !incident.keyMatches.some((match) => match.keyId === id))) {
      out.push(`  key ID ${id}: ${configsGiven ? 'no key or certificate under the given paths has it' : 'give the folders that hold private_key.pem / root.crt to find its file'}`);
    }
    if (incident.causes.length > 0) {
      out.push('  likely causes:');
      incident.causes.slice(0, 10).forEach((cause, index) => {
        out.push(`    ${index + 1}. ${where(cause)}: ${cause.ruleId}: ${cause.message}`);
        for (const fix of cause.fixes.slice(0, 1)) out.push(`       fix ${fix}`);
      });
      if (incident.causes.length > 10) out.push(`    … and ${incident.causes.length - 10} more`);
    } else if (configsGiven) {
      out.push(`  no finding under the given paths explains it${incident.rules.length ? ` (checked: ${incident.rules.join(', ')})` : ''}`);
    } else if (incident.rules.length > 0) {
      out.push(`  look at: ${incident.rules.join(', ')} (give the config files or folders to find the line)`);
    }
    out.push('');
  }
  const total = incidents.reduce((sum, incident) => sum + incident.causes.length, 0);
  out.push(`${incidents.length} incident${incidents.length === 1 ? '' : 's'} recognised${configsGiven ? `, ${total} likely cause${total === 1 ? '' : 's'} in the configs` : ''}.`);
  return out.join('\n') + '\n';
}

/** `notes`: paragraphs under the title (what was read, where causes were looked for). */
export function formatExplainMarkdown(
  incidents: readonly ExplainedIncident[],
  configsGiven: boolean,
  link: (file: string, line: number) => string = (f, l) => `${f}:${l}`,
  notes: readonly string[] = [],
): string {
  const out = ['# Harbor log explained', '', ...notes.flatMap((note) => [note, ''])];
  if (incidents.length === 0) return [...out, 'Nothing recognised: no line matches a known Harbor, registry or proxy error.', ''].join('\n');
  for (const incident of incidents) {
    out.push(`## ${incident.title}`, '');
    out.push(`Signature \`${incident.signature}\`, seen at ${incident.lines.map((l) => link(l.file, l.line)).join(', ')}${incident.count > incident.lines.length ? ` (${incident.count} in all)` : ''}.`, '');
    if (incident.excerpt) out.push('```text', incident.excerpt.replace(/```/g, "'''"), '```', '');
    out.push(incident.explanation, '');
    for (const match of incident.keyMatches) out.push(`- Key ID \`${match.keyId}\` is the ${match.type} in ${link(match.file, 1)}`);
    if (incident.keyMatches.length > 0) out.push('');
    if (incident.causes.length > 0) {
      out.push('Likely causes, most likely first:', '');
      incident.causes.slice(0, 10).forEach((cause, index) => {
        const fix = cause.fixes[0] ? `${/[.!?]$/.test(cause.message) ? '' : '.'} Fix: ${cause.fixes[0]}.` : '';
        out.push(`${index + 1}. ${link(cause.file, cause.range.start.line + 1)}: **${cause.ruleId}**: ${cause.message}${fix}`);
      });
      out.push('');
    } else if (incident.rules.length > 0) {
      out.push(`${configsGiven ? 'No finding in the configs explains it. ' : ''}Rules that look for its causes: ${incident.rules.map((id) => `\`${id}\``).join(', ')}.`, '');
    }
    out.push(`<sub>Printed by: ${incident.source}</sub>`, '');
  }
  return out.join('\n');
}

function wrap(text: string, indent: number, width = 100): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/)) {
    if (current && current.length + word.length + 1 > width - indent) {
      lines.push(' '.repeat(indent) + current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) lines.push(' '.repeat(indent) + current);
  return lines;
}
