/**
 * The actions offered for a finding, computed without LSP: the rule's fixes
 * that edit something (display-only guidance is in the finding's detail, not a
 * menu entry that does nothing), "disable for this line" (merged into a comment already above the line),
 * "disable for this file", "show documentation", and fix-all for safe fixes.
 */
import { singleEdit, type FixpointResult } from './fixAll';
import { findSuppressions, targetLine } from './suppression';
import { applyEdits, LineIndex } from './text';
import type { Finding, FixSafety, TextEdit } from './types';

export type ActionKind = 'quickfix' | 'source.fixAll.harborAudit';

export interface ActionCommand {
  command: 'harborAudit.showRuleDocs';
  arguments: string[];
}

export interface Action {
  title: string;
  kind: ActionKind;
  finding?: Finding;
  edits?: TextEdit[];
  command?: ActionCommand;
  isPreferred?: boolean;
  safety?: FixSafety;
}

/** First, because menus cut long titles at the end. */
const SAFETY_PREFIX: Record<FixSafety, string> = { safe: '', unsafe: '(unsafe) ', 'display-only': '' };

export function actionsForFinding(text: string, finding: Finding): Action[] {
  const lines = new LineIndex(text);
  const actions: Action[] = [];
  finding.fixes.forEach((fix, index) => {
    if (fix.safety === 'display-only' || fix.edits.length === 0) return;
    actions.push({ title: SAFETY_PREFIX[fix.safety] + fix.title, kind: 'quickfix', finding, edits: fix.edits, safety: fix.safety, isPreferred: index === 0 && fix.safety === 'safe' });
  });
  actions.push({ title: `Disable ${finding.ruleId} for this line`, kind: 'quickfix', finding, edits: [disableForLine(text, lines, finding)] });
  actions.push({ title: `Disable ${finding.ruleId} for this file`, kind: 'quickfix', finding, edits: [disableForFile(text, lines, finding.ruleId)] });
  actions.push({ title: `Show documentation for ${finding.ruleId}`, kind: 'quickfix', finding, command: { command: 'harborAudit.showRuleDocs', arguments: [finding.ruleId] } });
  return actions;
}

function disableForLine(text: string, lines: LineIndex, finding: Finding): TextEdit {
  const line = finding.range.start.line;
  const existing = findSuppressions(text, lines).find((c) => c.scope === 'next-line' && c.ids.length > 0 && targetLine(c, lines) === line);
  if (existing) return { span: { start: existing.idsSpan.end, end: existing.idsSpan.end }, newText: `, ${finding.ruleId}` };
  const start = lines.lineStart(line);
  return { span: { start, end: start }, newText: `${lines.indentOf(line)}# harbor-audit-disable-next-line ${finding.ruleId} -- reason${lines.eol}` };
}

function disableForFile(text: string, lines: LineIndex, ruleId: string): TextEdit {
  const existing = findSuppressions(text, lines).find((c) => c.scope === 'file' && c.ids.length > 0);
  if (existing) return { span: { start: existing.idsSpan.end, end: existing.idsSpan.end }, newText: `, ${ruleId}` };
  return { span: { start: 0, end: 0 }, newText: `# harbor-audit-disable-file ${ruleId} -- reason${lines.eol}` };
}

/** Fix all as one edit: every safe fix, re-linted and fixed again to a fixpoint (see fixAll.ts). */
export function fixAllAction(before: string, result: FixpointResult): Action | undefined {
  const edit = result.changed ? singleEdit(before, result.text) : undefined;
  return edit ? { title: 'Fix all safe harbor-audit problems', kind: 'source.fixAll.harborAudit', edits: [edit], safety: 'safe' } : undefined;
}

export function applyAction(text: string, action: Action): string {
  return applyEdits(text, action.edits ?? []);
}
