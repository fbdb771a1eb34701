/** The CLI's output formats. The JSON shape is a published contract: version it, never reshape it. */
import { ruleCatalog } from '../core/rules/registry';
import { renderRuleDoc } from '../core/ruleDocs';
import type { Finding, Severity } from '../core/types';

export interface FileReport {
  /** As given on the command line, joined with the relative path inside a folder. */
  file: string;
  findings: Finding[];
}

export function formatJson(reports: readonly FileReport[]): string {
  const findings = reports.flatMap(({ file, findings }) =>
    findings.map((finding) => ({
      file,
      ruleId: finding.ruleId,
      catalogId: finding.catalogId,
      severity: finding.severity,
      message: finding.message,
      ...(finding.detail ? { detail: finding.detail } : {}),
      range: finding.range,
      fixes: finding.fixes.map((fix) => ({ title: fix.title, safety: fix.safety })),
    })),
  );
  return JSON.stringify({ version: 1, findings }, null, 2) + '\n';
}

export interface TextOptions {
  /** Print each finding's detail under it (`--verbose`, or a single file checked). */
  details?: boolean;
  /** ANSI colours for severities and file names (a terminal without NO_COLOR). */
  color?: boolean;
  /** --fix ran: the summary counts what is left. */
  fixing?: boolean;
  /** Key or certificate paths that could not be read (see --path-map). */
  unreadablePaths?: number;
  /** nginx includes whose file is not here (it exists only on the proxy host). */
  unreadableIncludes?: number;
}

const SEVERITY_COLOR: Record<Severity, string> = { error: '31', warning: '33', info: '36', hint: '2' };

function paint(on: boolean | undefined, code: string, text: string): string {
  return on ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** One `file:line:col: severity rule: message` line per finding (editors and terminals link them), a blank line between files. */
export function formatText(reports: readonly FileReport[], filesChecked: number, options: TextOptions = {}): string {
  const lines: string[] = [];
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const { file, findings } of reports) {
    if (findings.length === 0) continue;
    if (lines.length > 0) lines.push('');
    for (const finding of findings) {
      counts[finding.severity]++;
      const { line, character } = finding.range.start;
      const id = finding.catalogId ? `${finding.ruleId} (${finding.catalogId})` : finding.ruleId;
      lines.push(`${paint(options.color, '1', `${file}:${line + 1}:${character + 1}:`)} ${paint(options.color, SEVERITY_COLOR[finding.severity], finding.severity)} ${id}: ${finding.message}`);
      if (options.details && finding.detail) lines.push(...detailLines(finding.detail));
      for (const fix of finding.fixes) lines.push(`    fix (${fix.safety}): ${fix.title}`);
    }
  }
  if (lines.length > 0) lines.push('');
  const total = counts.error + counts.warning + counts.info + counts.hint;
  const left = options.fixing ? ' left' : '';
  const summary =
    total === 0
      ? `No problems ${options.fixing ? 'left' : 'found'} in ${filesChecked} Harbor config file${filesChecked === 1 ? '' : 's'}.`
      : `${total} problem${total === 1 ? '' : 's'}${left} (${counts.error} error, ${counts.warning} warning, ${counts.info + counts.hint} info) in ${filesChecked} Harbor config file${filesChecked === 1 ? '' : 's'}.`;
  lines.push(summary);
  const unreadablePaths = options.unreadablePaths ?? 0;
  if (unreadablePaths > 0) {
    lines.push(`${unreadablePaths} key or certificate path${unreadablePaths === 1 ? '' : 's'} could not be read here; map ${unreadablePaths === 1 ? 'it' : 'them'} with \`paths:\` in .harbor-audit.yaml or --path-map FROM=TO.`);
  }
  const unreadableIncludes = options.unreadableIncludes ?? 0;
  if (unreadableIncludes > 0) {
    lines.push(`${unreadableIncludes} nginx include${unreadableIncludes === 1 ? '' : 's'} not followed: the file${unreadableIncludes === 1 ? ' is' : 's are'} not here (on the proxy host only?); settings ${unreadableIncludes === 1 ? 'it' : 'they'} may hold were not reported as missing.`);
  }
  return lines.join('\n') + '\n';
}

/** A finding's markdown detail as indented plain text for a terminal. */
export function detailLines(markdown: string): string[] {
  const plain = markdown
    .replace(/\[([^\]]*)\]\(([^)]*)\)/g, '$1 ($2)')
    .replace(/\*\*([^*]*)\*\*/g, '$1')
    .replace(/`([^`]*)`/g, '$1');
  return plain.split(/\r?\n/).map((line) => (line.trim() === '' ? '' : `      ${line}`));
}

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** SARIF 2.1.0 as GitHub code scanning reads it: 1-based lines and UTF-16 columns, relative uris. */
export function formatSarif(reports: readonly FileReport[], version: string): string {
  const rules = ruleCatalog.map((meta) => ({
    id: meta.id,
    name: meta.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.docs.whatItDoes },
    help: { text: meta.docs.fix, markdown: renderRuleDoc(meta) },
    defaultConfiguration: { level: SARIF_LEVEL[meta.defaultSeverity] },
    properties: { catalogId: meta.catalogId, tags: ['harbor', 'configuration'] },
  }));
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const results = reports.flatMap(({ file, findings }) =>
    findings.map((finding) => ({
      ruleId: finding.ruleId,
      ruleIndex: ruleIndex.get(finding.ruleId),
      level: SARIF_LEVEL[finding.severity],
      message: finding.detail ? { text: finding.message, markdown: `${finding.message}\n\n${finding.detail}` } : { text: finding.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: toSarifUri(file) }, region: toRegion(finding.range) } }],
      relatedLocations: finding.related.map((related, index) => ({
        id: index,
        message: { text: related.message },
        physicalLocation: { artifactLocation: { uri: toSarifUri(related.file) }, region: toRegion(related.range) },
      })),
      partialFingerprints: { ruleIdAndLine: `${finding.ruleId}:${file}:${finding.range.start.line}` },
    })),
  );
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'harbor-audit', version, semanticVersion: version, rules } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

function toRegion(range: Finding['range']) {
  return { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

function toSarifUri(file: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) return file;
  const normalized = file.replace(/\\/g, '/').replace(/^\.\//, '');
  const encoded = normalized.split('/').map((part) => encodeURIComponent(part)).join('/');
  return normalized.startsWith('/') ? `file://${encoded}` : encoded;
}
