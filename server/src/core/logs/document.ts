/**
 * Logs opened in the editor: which documents are logs (by name, or by content
 * that is recognisably Harbor, registry, nginx or docker log output), and the
 * findings shown on their signature lines. A log is never read as a config:
 * recognize() hands it over here before any rule runs.
 */
import { effectiveSeverity, type AuditSettings } from '../settings';
import { compareText, LineIndex } from '../text';
import type { Finding, RelatedLocation } from '../types';
import { parseLogLine } from './entry';
import type { ExplainedIncident } from './report';

/** An editor document is explained up to this many lines (a 100,000-line log takes well under a second); `harbor-audit explain` reads any length. */
export const MAX_EDITOR_LOG_LINES = 100_000;
/** The note on the first line of a log past what the editor explains. */
export const LOG_LINES_NOT_READ = 'log-lines-not-read';
/** Each incident marks at most this many lines in the editor. */
export const MAX_EDITOR_LINES_PER_INCIDENT = 500;
const MESSAGE_LIMIT = 160;

/** How much of a document content recognition looks at: cheap on any file. */
const SAMPLE_CHARS = 64 * 1024;
const SAMPLE_LINES = 100;
/** A compose envelope alone is weak evidence (`ls | wc -l` has one); with a time stamp after it, it is a log. */
const TIME_STAMP = /^\s*(?:\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d|\d\d:\d\d:\d\d|[A-Z][a-z]{2} \d{1,2},? \d{4})/;

/** Is this line in one of the shapes `explain` reads, beyond doubt? */
function isLogShaped(line: string): boolean {
  const entry = parseLogLine(line);
  if (entry.envelope === 'kubectl' || entry.envelope === 'syslog') return true;
  if (entry.format === 'harbor-core' || entry.format === 'nginx-access') return true;
  // logrus lines always carry time= and level=; a script's `level=3` does not make it a log.
  if (entry.format === 'logrus') return entry.time !== undefined && entry.level !== undefined;
  return entry.envelope === 'compose' && TIME_STAMP.test(entry.message);
}

/**
 * A document is a log when it is named `*.log`, or when at least two of the
 * first hundred non-empty lines, and at least half of them, are log lines in a
 * shape `explain` reads. Config names (YAML, nginx, harbor.cfg) are never logs.
 */
export function isLogDocument(name: string | undefined, text: string): boolean {
  const base = (name ?? '').split(/[\\/]/).pop()!.toLowerCase();
  if (base.endsWith('.log')) return true;
  if (/\.(ya?ml|conf|nginx|cfg|json|j2|tpl|tmpl)$/.test(base)) return false;
  const sample = text.length > SAMPLE_CHARS ? text.slice(0, text.lastIndexOf('\n', SAMPLE_CHARS) + 1 || SAMPLE_CHARS) : text;
  let lines = 0;
  let logLines = 0;
  for (const line of sample.split('\n')) {
    if (line.trim() === '') continue;
    lines++;
    if (isLogShaped(line)) logLines++;
    // Half of the sample can no longer be log lines: stop early.
    if (lines - logLines > SAMPLE_LINES / 2 || lines >= SAMPLE_LINES) break;
  }
  return logLines >= 2 && logLines * 2 >= lines;
}

/** The diagnostic message: the incident's summary, then its most likely cause when there is room. */
export function logLineMessage(incident: ExplainedIncident): string {
  const cause = incident.causes[0];
  const likely = cause ? `; likely ${cause.ruleId} at ${baseName(cause.file)}:${cause.range.start.line + 1}` : '';
  if (incident.summary.length + likely.length <= MESSAGE_LIMIT) return incident.summary + likely;
  return incident.summary.length <= MESSAGE_LIMIT ? incident.summary : `${incident.summary.slice(0, MESSAGE_LIMIT - 1)}…`;
}

export interface LogFindingOptions {
  /** A markdown link to a line of a file (a cause's config, a key file). */
  link: (file: string, line: number) => string;
  /** Said in every finding's detail (why no cause was looked up, for instance). */
  note?: string;
}

/**
 * One information finding on each line of this document that shows an
 * incident (rule id = the signature id), with the incident's explanation as
 * the detail and the config findings and key files behind it as related
 * locations. Lines of other files (`lines` refs with another name) are skipped.
 */
export function logFindings(text: string, file: string, incidents: readonly ExplainedIncident[], options: LogFindingOptions): Finding[] {
  const lines = new LineIndex(text);
  const findings: Finding[] = [];
  for (const incident of incidents) {
    const message = logLineMessage(incident);
    const detail = logIncidentDetail(incident, options);
    const related: RelatedLocation[] = [
      ...incident.causes.slice(0, 10).map((cause) => ({ file: cause.file, range: cause.range, message: `${cause.ruleId}: ${cause.message}` })),
      ...incident.keyMatches.map((match) => ({
        file: match.file,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        message: `key ID ${match.keyId} is the ${match.type} in this file`,
      })),
    ];
    for (const ref of incident.lines) {
      if (ref.file !== file || ref.line < 1 || ref.line > lines.lineCount) continue;
      const span = { start: lines.lineStart(ref.line - 1), end: lines.lineEnd(ref.line - 1) };
      findings.push({ ruleId: incident.signature, catalogId: null, severity: 'info', message, detail, span, range: lines.rangeOf(span), related, fixes: [] });
    }
  }
  return findings.sort((a, b) => a.span.start - b.span.start || compareText(a.ruleId, b.ruleId));
}

/**
 * `harborAudit.rules` and `.harbor-audit.yaml` apply to log lines by signature
 * id as they do to config rules by rule id: `off` hides a signature's lines,
 * a severity replaces its information level. (`csrf-key-length` names both the
 * rule and the log line it explains: one setting covers both.)
 */
export function withSeveritySettings(findings: readonly Finding[], settings: AuditSettings): Finding[] {
  const kept: Finding[] = [];
  for (const finding of findings) {
    const severity = effectiveSeverity(settings, { id: finding.ruleId, catalogId: null }, finding.severity);
    if (severity !== 'off') kept.push(severity === finding.severity ? finding : { ...finding, severity });
  }
  return kept;
}

/** The finding's detail (the hover): what the lines mean, the ranked causes with links, and where the line is printed. */
function logIncidentDetail(incident: ExplainedIncident, options: LogFindingOptions): string {
  const parts = [`**${incident.title}**`, incident.explanation];
  if (incident.count > 1) parts.push(`Seen ${incident.count} times in this log.`);
  if (incident.causes.length > 0) {
    parts.push(
      'Likely causes in the workspace, most likely first:\n\n' +
        incident.causes
          .slice(0, 5)
          .map((cause, index) => `${index + 1}. ${options.link(cause.file, cause.range.start.line + 1)}: **${cause.ruleId}**: ${cause.message}`)
          .join('\n'),
    );
  } else if (incident.rules.length > 0) {
    parts.push(`No finding in the workspace explains it. Rules that look for its causes: ${incident.rules.map((id) => `\`${id}\``).join(', ')}.`);
  }
  for (const match of incident.keyMatches) parts.push(`Key ID \`${match.keyId}\` is the ${match.type} in ${options.link(match.file, 1)}.`);
  for (const id of incident.keyIds.filter((id) => !incident.keyMatches.some((match) => match.keyId === id))) {
    parts.push(`Key ID \`${id}\`: no key or certificate in the workspace has it.`);
  }
  if (options.note) parts.push(options.note);
  parts.push(`<sub>Printed by: ${incident.source}</sub>`);
  return parts.join('\n\n');
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
