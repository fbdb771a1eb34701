/**
 * Typing in a comment changes no finding: the language server reuses the
 * previous version's analysis with its offsets moved, instead of parsing and
 * checking a 20,000-line file again on every keystroke (issue 11 items 8 and 9).
 *
 * Only where that is certain: the edit lies on one line that holds nothing but
 * a comment, after its `#`, in the previous version as parsed (not a `#` line
 * inside a YAML block scalar, a quoted nginx string or a Lua block), adds or
 * removes no line break, and neither the old nor the new line holds anything a
 * check reads in comments (Harbor, versions, suppressions, ytt's `#@`,
 * template syntax). Everything else is analysed again.
 */
import { isCollection, isPair, isScalar, type Node } from 'yaml';
import type { Analysis } from './languageService';
import type { RuleContext } from './rules/rule';
import { sharedEnds, type SharedEnds } from './text';
import type { Position, Range, Span } from './types';

/** Words and characters that some check reads in a comment: such a line is never edited incrementally. */
const READ_IN_COMMENTS = /harbor|version|chart|audit|helm|ytt|@|[{}$%\\\r]|ENC\[|[^\t\x20-\x7e]/i;

/**
 * Offsets of the `#` of every line that holds only a comment, ascending; undefined
 * for kinds this does not handle. Computed from the parse, so only real comments count.
 */
export function commentLines(context: RuleContext): number[] | undefined {
  const text = context.text;
  const candidates: number[] = [];
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf('\n', start);
    const lineEnd = end < 0 ? text.length : end;
    let at = start;
    while (at < lineEnd && (text.charCodeAt(at) === 0x20 || text.charCodeAt(at) === 0x09)) at++;
    if (text.charCodeAt(at) === 0x23 /* # */) candidates.push(at);
    start = lineEnd + 1;
  }
  if (context.nginx) {
    const comments = new Set(context.nginx.root.comments.map((comment) => comment.span.start));
    return candidates.filter((offset) => comments.has(offset));
  }
  if (context.yaml && (context.recognition.kind === 'helm-values' || context.recognition.kind === 'harbor-yml' || context.recognition.kind === 'kubernetes-tls-secret')) {
    if (context.yaml.text !== text || context.yaml.errors.length > 0) return undefined;
    // A `#` line inside a scalar (a block scalar's text, embedded YAML) or a flow collection is content, not a comment.
    const inside: [number, number][] = [];
    const pending: (Node | null | undefined)[] = context.yaml.documents.map((doc) => doc.contents as Node | null);
    while (pending.length > 0) {
      const node = pending.pop();
      if (!node) continue;
      const range = node.range;
      if (isScalar(node) || (isCollection(node) && node.flow)) {
        // Only one over several lines can hold a line's first `#` (no node starts with a space or a `#`).
        const lineBreak = range ? text.indexOf('\n', range[0]) : -1;
        if (range && lineBreak >= 0 && lineBreak < range[1]) inside.push([range[0], range[1]]);
        continue;
      }
      if (isCollection(node)) {
        for (const item of node.items as unknown[]) {
          if (isPair(item)) pending.push(item.key as Node, item.value as Node);
          else pending.push(item as Node);
        }
      }
    }
    inside.sort((a, b) => a[0] - b[0]);
    return uncovered(candidates, inside);
  }
  return undefined;
}

/**
 * The offsets (ascending) that no range covers; ranges sorted by start, and may
 * nest or overlap. One sweep over both: a long values file has thousands of each.
 */
function uncovered(offsets: readonly number[], ranges: readonly [number, number][]): number[] {
  const kept: number[] = [];
  let next = 0;
  let maxEnd = -1;
  for (const offset of offsets) {
    while (next < ranges.length && ranges[next][0] <= offset) maxEnd = Math.max(maxEnd, ranges[next++][1]);
    if (maxEnd <= offset) kept.push(offset);
  }
  return kept;
}

export interface Reused {
  analysis: Analysis;
  comments: number[];
  /** No finding's range, related range or message changed: the editor's diagnostics stay as they are. */
  sameDiagnostics: boolean;
}

/**
 * The analysis of `text` from the one of `previous.text`, when the difference is an edit inside a comment line; else undefined.
 * `ends`: sharedEnds(previous.text, text), when the caller has it already.
 */
export function reuseAfterCommentEdit(previous: { uri: string; text: string; analysis: Analysis; comments?: readonly number[] }, text: string, ends?: SharedEnds): Reused | undefined {
  const old = previous.text;
  const known = previous.comments;
  if (!known || previous.analysis.internalErrors.length > 0) return undefined;
  const edit = lineEdit(old, text, ends);
  if (!edit) return undefined;
  const { prefix, oldEnd, delta, lineStart, lineEnd, oldLine, newLine } = edit;
  const hash = old.indexOf('#', lineStart);
  if (hash < 0 || hash >= prefix || !has(known, hash)) return undefined;
  if (READ_IN_COMMENTS.test(oldLine) || READ_IN_COMMENTS.test(newLine)) return undefined;

  let bail = false;
  const move = (offset: number): number => {
    if (offset < prefix || (offset === prefix && offset < oldEnd)) return offset;
    if (offset > oldEnd || (offset === oldEnd && offset === lineEnd)) return offset + delta;
    if (offset === prefix && offset === oldEnd) return offset; // an insertion inside the comment: nothing ends there
    bail = true;
    return offset;
  };
  const moveSpan = (span: Span): Span => ({ start: move(span.start), end: move(span.end) });
  // No line break comes or goes: only positions on the edited line, after the edit, change (by their offset's move).
  if (/\r(?!\n)/.test(old)) return undefined; // a lone CR breaks lines for the line index, not for this count
  let editLine = 0;
  for (let at = old.indexOf('\n'); at >= 0 && at < lineStart; at = old.indexOf('\n', at + 1)) editLine++;
  let same = true;
  const movePosition = (position: Position): Position => {
    if (position.line !== editLine) return position;
    const offset = lineStart + position.character;
    const moved = move(offset);
    if (moved === offset) return position;
    same = false;
    return { line: position.line, character: position.character + (moved - offset) };
  };
  const moveRange = (range: Range): Range => {
    const start = movePosition(range.start);
    const end = movePosition(range.end);
    return start === range.start && end === range.end ? range : { start, end };
  };
  const analysis: Analysis = {
    ...previous.analysis,
    findings: previous.analysis.findings.map((finding) => ({
      ...finding,
      span: moveSpan(finding.span),
      range: moveRange(finding.range),
      // Related locations in this document move with it; those in other files do not.
      related: finding.related.map((related) => (related.file === previous.uri ? { ...related, range: moveRange(related.range) } : related)),
      fixes: finding.fixes.map((fix) => ({ ...fix, edits: fix.edits.map((edit) => ({ ...edit, span: moveSpan(edit.span) })) })),
    })),
    unreadablePaths: previous.analysis.unreadablePaths.map((path) => ({ ...path, span: moveSpan(path.span), range: moveRange(path.range) })),
  };
  if (bail) return undefined;
  const comments = known.map((offset) => (offset > prefix ? offset + delta : offset));
  return { analysis, comments, sameDiagnostics: same };
}

/** Where `text` differs from `old`, when that is within one line and adds or removes no line break; else undefined. */
function lineEdit(old: string, text: string, ends?: SharedEnds) {
  if (old === text) return undefined;
  const { prefix, suffix } = ends ?? sharedEnds(old, text);
  const oldEnd = old.length - suffix;
  const delta = text.length - old.length;
  const lineStart = old.lastIndexOf('\n', prefix - 1) + 1;
  const found = old.indexOf('\n', prefix);
  const lineEnd = found < 0 ? old.length : found;
  if (oldEnd > lineEnd) return undefined; // the edit crosses a line break
  const oldLine = old.slice(lineStart, lineEnd);
  const newLine = text.slice(lineStart, lineEnd + delta);
  if (newLine.includes('\n') || /\r/.test(oldLine) || /\r/.test(newLine)) return undefined;
  return { prefix, oldEnd, delta, lineStart, lineEnd, oldLine, newLine };
}

/** Words on a line that can change a values file's version or where its values start (a wrapper's `harbor:`, Argo's `values`). */
const SHAPES_VALUES = /version|chart|revision|(^|[\s-])(harbor|values|valuesObject|helm|spec|source|sources)\s*:|[|>@%$\\]|^\S/i;
const count = (line: string, char: string) => line.split(char).length - 1;
/** An odd number of quotes, or a flow collection left open, may run over the following lines and change the structure. */
const unbalancedQuotes = (line: string) =>
  count(line, '"') % 2 === 1 || count(line, "'") % 2 === 1 || count(line, '{') !== count(line, '}') || count(line, '[') !== count(line, ']');

/**
 * The model of an earlier version of a values file or harbor.yml, for completing
 * in `text`: completion reads the key path at the cursor from the text itself
 * and only the version and where the values start from the model, which an edit
 * within one indented line of plain keys and values does not change. Undefined
 * otherwise (then the model is built again).
 */
export function contextForCompletion(previous: RuleContext, text: string): RuleContext | undefined {
  if (previous.recognition.kind !== 'helm-values' && previous.recognition.kind !== 'harbor-yml') return undefined;
  const edit = lineEdit(previous.text, text);
  if (!edit || SHAPES_VALUES.test(edit.oldLine) || SHAPES_VALUES.test(edit.newLine) || unbalancedQuotes(edit.oldLine) || unbalancedQuotes(edit.newLine)) return undefined;
  return { ...previous, text };
}

function has(sorted: readonly number[], value: number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (sorted[mid] === value) return true;
    if (sorted[mid] < value) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}
