/**
 * Suppression comments, the same in YAML, nginx and harbor.cfg (all use `#`):
 *   # harbor-audit-disable-next-line <rule-id>[, <rule-id>] -- <reason>
 *   # harbor-audit-disable-file <rule-id>[, <rule-id>] -- <reason>
 * With no id, the comment covers every rule. Ids may be rule ids or `HB-*` catalog ids.
 */
import type { LineIndex } from './text';
import type { Finding, Span } from './types';

export const DIRECTIVE_PREFIX = 'harbor-audit-disable';
const COMMENT = /(^|[ \t])#[ \t]*harbor-audit-disable-(next-line|file)\b([^\r\n]*)/;

export interface SuppressionComment {
  scope: 'next-line' | 'file';
  /** Empty: every rule. */
  ids: string[];
  reason?: string;
  line: number;
  /** The `# harbor-audit-...` text, from `#` to the end of the line. */
  span: Span;
  /** Span of the id list, for merging a new id into it. */
  idsSpan: Span;
}

export function findSuppressions(text: string, lines: LineIndex): SuppressionComment[] {
  if (!text.includes(DIRECTIVE_PREFIX)) return [];
  const found: SuppressionComment[] = [];
  for (let line = 0; line < lines.lineCount; line++) {
    const lineText = lines.lineText(line);
    if (!lineText.includes(DIRECTIVE_PREFIX)) continue;
    const match = COMMENT.exec(lineText);
    if (!match) continue;
    const hashAt = match.index + match[1].length;
    const rest = match[3];
    const restStart = lines.lineStart(line) + match.index + match[0].length - rest.length;
    const separator = rest.indexOf('--');
    const idText = separator >= 0 ? rest.slice(0, separator) : rest;
    const ids = idText.split(/[\s,]+/).filter(Boolean);
    const leading = /^\s*/.exec(idText)![0].length;
    const trimmedIds = idText.trimEnd();
    found.push({
      scope: match[2] as 'next-line' | 'file',
      ids,
      reason: separator >= 0 ? rest.slice(separator + 2).trim() || undefined : undefined,
      line,
      span: { start: lines.lineStart(line) + hashAt, end: lines.lineEnd(line) },
      idsSpan: { start: restStart + leading, end: restStart + Math.max(leading, trimmedIds.length) },
    });
  }
  return found;
}

/** The line a next-line comment covers: the next line that is not itself only a comment. */
export function targetLine(comment: SuppressionComment, lines: LineIndex): number {
  let line = comment.line + 1;
  while (line < lines.lineCount && /^\s*#/.test(lines.lineText(line))) line++;
  return line;
}

function covers(comment: SuppressionComment, finding: Pick<Finding, 'ruleId' | 'catalogId'>): boolean {
  return comment.ids.length === 0 || comment.ids.includes(finding.ruleId) || (finding.catalogId !== null && comment.ids.includes(finding.catalogId));
}

export function isSuppressed(finding: Finding, comments: readonly SuppressionComment[], lines: LineIndex): boolean {
  for (const comment of comments) {
    if (!covers(comment, finding)) continue;
    if (comment.scope === 'file') return true;
    if (targetLine(comment, lines) === finding.range.start.line) return true;
  }
  return false;
}
