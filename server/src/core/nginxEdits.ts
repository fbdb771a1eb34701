/**
 * Typing inside one server block of a large nginx.conf (issue 11 item 8): the
 * document is parsed and modelled again as usual, but the rules that look at
 * one server at a time run only on the server the edit is in; the findings the
 * other servers gave in the previous version are kept, their positions moved.
 * Rules that read the whole file (syntax, includes, certificates, harbor.yml
 * beside it, Harbor's own nginx) run in full.
 *
 * Why the kept findings are exact. A server-local rule (`perServer` in its metadata, each audited) reads a
 * server's own block and the levels above it (http, main), plus file-wide
 * indexes (upstreams, maps, includes, the role) that an edit passing the checks
 * here cannot change. Across servers it only shares a "reported once" set, keyed
 * by the directive a finding is placed on: a finding placed inside the edited
 * server cannot collide with another server's, and one placed outside it (an
 * http-level directive) must come out the same before and after the edit, which
 * is checked. The text outside the edited server is the same, and the lexer is
 * context-free there (no template syntax, no Lua blocks), so every other server
 * parses to the same tree, moved; the servers' extents and Harbor flags are
 * compared to make sure. Anything else analyses the rule, or the file, in full.
 */
import type { RuleShortcut, TryRule } from './languageService';
import { compareFindings } from './languageService';
import type { NginxDirective } from './nginx/ast';
import { holdsNoMarker, NOT_CONTEXT_FREE } from './nginx/blockEdit';
import type { NginxModel, ServerBlock } from './nginx/model';
import type { Rule, RuleContext } from './rules/rule';
import { DIRECTIVE_PREFIX } from './suppression';
import { sharedEnds, type SharedEnds } from './text';
import type { Finding, Position, Span } from './types';


/** What the next version's analysis needs from this one: its text, model and findings, and the settings they were computed with. */
export interface NginxEditBase {
  text: string;
  settingsKey: string;
  context: RuleContext;
  findings: readonly Finding[];
}

/** Kept for a front-proxy nginx document only (other kinds never take this path, and need not hold their model). */
export function nginxEditBase(context: RuleContext, findings: readonly Finding[], settingsKey: string): NginxEditBase | undefined {
  if (context.recognition.kind !== 'nginx' || context.nginx?.role !== 'front' || context.nginx.includer) return undefined;
  // A text whose lexing is not local is never edited incrementally: checked once here, not again on the next keystroke.
  if (!isLocal(context.text)) return undefined;
  return { text: context.text, settingsKey, context, findings };
}

function isLocal(text: string): boolean {
  return holdsNoMarker(text, NOT_LOCAL);
}

/** `isLocal` for a text whose other version was local: a marker it has now overlaps the changed stretch [from, to). */
function stillLocal(text: string, from: number, to: number): boolean {
  return holdsNoMarker(text, NOT_LOCAL, from, to);
}

/** Lexer input that is not context-free (template syntax, Lua bodies), and suppression comments, which act on other lines. */
const NOT_LOCAL = [...NOT_CONTEXT_FREE, DIRECTIVE_PREFIX];
/** Directives that feed file-wide indexes (includes, upstream members, Bearer maps) or open another server. */
const FILE_WIDE_NAMES = new Set(['include', 'upstream', 'map', 'server', 'http']);

interface ServerEdit {
  index: number;
  start: number;
  oldEnd: number;
  newEnd: number;
  delta: number;
  startPosition: Position;
  oldEndPosition: Position;
  newEndPosition: Position;
}

/**
 * A rule shortcut for analysing `next` after `previous`, when the difference is
 * an edit inside one server block that changes no block structure; undefined
 * otherwise (the document is analysed in full). `ends`: sharedEnds(previous.text,
 * next.text), when the caller has it already.
 */
export function nginxEditShortcut(previous: NginxEditBase, next: RuleContext, settingsKey: string, uri: string, ends?: SharedEnds): RuleShortcut | undefined {
  const before = previous.context.nginx;
  const after = next.nginx;
  if (previous.settingsKey !== settingsKey || !before || !after || next.recognition.kind !== 'nginx' || after.role !== 'front' || after.includer) return undefined;
  const edit = serverEdit(previous.text, next.text, before, after, previous.context, next, ends);
  if (!edit) return undefined;
  const oldServer = before.servers[edit.index];
  const newServer = after.servers[edit.index];
  const oldContext: RuleContext = { ...previous.context, nginx: { ...before, servers: [oldServer] } };
  const newContext: RuleContext = { ...next, nginx: { ...after, servers: [newServer] } };
  const documentFiles = new Set([uri, before.root.path]);
  const previousByRule = new Map<string, Finding[]>();
  for (const finding of previous.findings) {
    const list = previousByRule.get(finding.ruleId);
    if (list) list.push(finding);
    else previousByRule.set(finding.ruleId, [finding]);
  }
  const insideOld = (finding: Finding) => finding.span.start >= edit.start && finding.span.end <= edit.oldEnd;
  const insideNew = (finding: Finding) => finding.span.start >= edit.start && finding.span.end <= edit.newEnd;

  return async (rule: Rule, tryRule: TryRule) => {
    if (!rule.meta.perServer) return undefined;
    const oldFindings = await tryRule(rule, oldContext);
    const newFindings = await tryRule(rule, newContext);
    if (!oldFindings || !newFindings) return undefined;
    const earlier = previousByRule.get(rule.meta.id) ?? [];
    // The edited server's findings in the previous version are exactly what it gives alone.
    if (!sameFindings(earlier.filter(insideOld), [...oldFindings.filter(insideOld)].sort(compareFindings))) return undefined;
    // What it places outside itself (on an http-level directive) is reported once for all servers: it must not change.
    const movedOutside = moveAll(oldFindings.filter((f) => !insideOld(f)), edit, documentFiles);
    if (!movedOutside || !sameFindings(movedOutside, newFindings.filter((f) => !insideNew(f)))) return undefined;
    const kept = moveAll(earlier.filter((f) => !insideOld(f)), edit, documentFiles);
    if (!kept) return undefined;
    return [...kept, ...newFindings.filter(insideNew)];
  };
}

/** The edit as one changed stretch strictly inside the block of the same server in both versions, with everything around it in place. */
function serverEdit(old: string, text: string, before: NginxModel, after: NginxModel, oldContext: RuleContext, newContext: RuleContext, ends?: SharedEnds): ServerEdit | undefined {
  if (old === text) return undefined;
  const { prefix, suffix } = ends ?? sharedEnds(old, text);
  const oldEnd = old.length - suffix;
  const newEnd = text.length - suffix;
  // The base's text was local (nginxEditBase).
  if (!stillLocal(text, prefix, newEnd)) return undefined;
  // A changed line ending could change the line breaks fixes write elsewhere.
  if (old.slice(prefix, oldEnd).includes('\r') || text.slice(prefix, newEnd).includes('\r')) return undefined;
  if (before.servers.length !== after.servers.length || !sameIncludedFiles(before, after) || truncated(before) || truncated(after)) return undefined;
  const root = before.root.path;
  const index = before.servers.findIndex((server) => {
    const block = server.scope.block;
    // After the `{` and before the `}` that close it.
    return block?.file === root && block.blockSpan !== undefined && block.blockSpan.start < prefix && oldEnd < block.blockSpan.end && old.charCodeAt(block.blockSpan.end - 1) === 0x7d;
  });
  if (index < 0) return undefined;
  const delta = text.length - old.length;
  const oldBlock = before.servers[index].scope.block!;
  const start = oldBlock.span.start;
  const end = oldBlock.span.end;
  // The server has its lines to itself, so fixes elsewhere never read a line it shares.
  if (!blankBetween(old, old.lastIndexOf('\n', start - 1) + 1, start) || !blankBetween(old, end, lineEndAt(old, end))) return undefined;
  for (let i = 0; i < before.servers.length; i++) {
    if (!sameServer(before.servers[i], after.servers[i], i === index, root, i < index ? 0 : delta)) return undefined;
  }
  const newBlock = after.servers[index].scope.block!;
  if (text.charCodeAt(newBlock.blockSpan!.end - 1) !== 0x7d) return undefined;
  if (namesFileWide(oldBlock) || namesFileWide(newBlock)) return undefined;
  return {
    index,
    start,
    oldEnd: end,
    newEnd: end + delta,
    delta,
    startPosition: oldContext.lines.positionAt(start),
    oldEndPosition: oldContext.lines.positionAt(end),
    newEndPosition: newContext.lines.positionAt(end + delta),
  };
}

function blankBetween(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

function lineEndAt(text: string, from: number): number {
  let i = from;
  while (i < text.length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
  return i;
}

/** Parsing stopped early (too many tokens or errors): where it stops depends on the whole file. */
function truncated(model: NginxModel): boolean {
  return model.root.errors.length > 999;
}

/** Included files read the same, and the same includes failed: the levels above the servers are what they were. */
function sameIncludedFiles(before: NginxModel, after: NginxModel): boolean {
  if (before.files.length !== after.files.length || before.includeProblems.length !== after.includeProblems.length) return false;
  for (let i = 1; i < before.files.length; i++) {
    if (before.files[i].path !== after.files[i].path || before.files[i].text !== after.files[i].text) return false;
  }
  return before.includeProblems.every((problem, i) => {
    const other = after.includeProblems[i];
    return problem.path === other.path && problem.reason === other.reason && problem.message === other.message;
  });
}

function sameSpan(a: Span | undefined, b: Span | undefined, shift: number): boolean {
  if (!a || !b) return a === b;
  return a.start + shift === b.start && a.end + shift === b.end;
}

/** The same server in both versions: moved by `shift` (the edited one only grows or shrinks at its end), the same Harbor verdict. */
function sameServer(a: ServerBlock, b: ServerBlock, edited: boolean, root: string, shift: number): boolean {
  const x = a.scope.block;
  const y = b.scope.block;
  if (!x || !y || x.file !== y.file) return false;
  const by = x.file === root ? shift : 0;
  if (edited) {
    return x.span.start === y.span.start && x.span.end + shift === y.span.end && x.blockSpan !== undefined && x.blockSpan.start === y.blockSpan?.start && x.blockSpan.end + shift === y.blockSpan.end;
  }
  return a.harbor === b.harbor && sameSpan(x.span, y.span, by) && sameSpan(x.blockSpan, y.blockSpan, by);
}

/** Whether the block holds a directive that feeds a file-wide index (any depth). */
function namesFileWide(block: NginxDirective): boolean {
  const stack = [...(block.block ?? [])];
  while (stack.length > 0) {
    const directive = stack.pop()!;
    if (FILE_WIDE_NAMES.has(directive.name)) return true;
    if (directive.block) stack.push(...directive.block);
  }
  return false;
}

function moveOffset(offset: number, edit: ServerEdit): number | undefined {
  if (offset <= edit.start) return offset;
  if (offset >= edit.oldEnd) return offset + edit.delta;
  return undefined;
}

function notAfter(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

/** A position in the previous version, in this one: unchanged before the server, moved after it; undefined inside it. */
function movePosition(position: Position, edit: ServerEdit): Position | undefined {
  if (notAfter(position, edit.startPosition)) return position;
  if (!notAfter(edit.oldEndPosition, position)) return undefined;
  const lines = edit.newEndPosition.line - edit.oldEndPosition.line;
  if (position.line === edit.oldEndPosition.line) {
    return { line: position.line + lines, character: position.character + edit.newEndPosition.character - edit.oldEndPosition.character };
  }
  return lines === 0 ? position : { line: position.line + lines, character: position.character };
}

/** Findings of the previous version placed outside the edited server, in this version's positions; undefined if any place lies inside it. */
function moveAll(findings: readonly Finding[], edit: ServerEdit, documentFiles: ReadonlySet<string>): Finding[] | undefined {
  const moved: Finding[] = [];
  for (const finding of findings) {
    const one = moveFinding(finding, edit, documentFiles);
    if (!one) return undefined;
    moved.push(one);
  }
  return moved;
}

function moveFinding(finding: Finding, edit: ServerEdit, documentFiles: ReadonlySet<string>): Finding | undefined {
  // Written out rather than through closures: thousands of findings move on every keystroke.
  const { start, oldEnd } = edit;
  let allBefore = finding.span.end <= start;
  for (const fix of finding.fixes) for (const change of fix.edits) allBefore &&= change.span.end <= start;
  for (const related of finding.related) allBefore &&= !documentFiles.has(related.file) || notAfter(related.range.end, edit.startPosition);
  if (allBefore) return finding; // nothing of it moves
  const span = moveSpan(finding.span, edit);
  const rangeStart = movePosition(finding.range.start, edit);
  const rangeEnd = movePosition(finding.range.end, edit);
  if (!span || !rangeStart || !rangeEnd) return undefined;
  let related = finding.related;
  for (let i = 0; i < finding.related.length; i++) {
    const one = finding.related[i];
    // Related places in this document move with it; those in other files do not.
    if (!documentFiles.has(one.file)) continue;
    const from = movePosition(one.range.start, edit);
    const to = movePosition(one.range.end, edit);
    if (!from || !to) return undefined;
    if (from === one.range.start && to === one.range.end) continue;
    // A copy only when a place moved (typing within a line moves none on other lines).
    if (related === finding.related) related = finding.related.slice();
    related[i] = { ...one, range: { start: from, end: to } };
  }
  let fixes = finding.fixes;
  if (fixes.length > 0) {
    fixes = [];
    for (const fix of finding.fixes) {
      const edits = [];
      for (const change of fix.edits) {
        const moved = change.span.end <= start || change.span.start >= oldEnd ? moveSpan(change.span, edit) : undefined;
        if (!moved) return undefined;
        edits.push(moved === change.span ? change : { ...change, span: moved });
      }
      fixes.push({ title: fix.title, safety: fix.safety, edits });
    }
  }
  const range = rangeStart === finding.range.start && rangeEnd === finding.range.end ? finding.range : { start: rangeStart, end: rangeEnd };
  return { ...finding, span, range, related, fixes };
}

/** A span outside the edited server, moved; undefined if it lies in it. */
function moveSpan(span: Span, edit: ServerEdit): Span | undefined {
  const start = moveOffset(span.start, edit);
  const end = moveOffset(span.end, edit);
  if (start === undefined || end === undefined) return undefined;
  return start === span.start && end === span.end ? span : { start, end };
}

function sameFindings(a: readonly Finding[], b: readonly Finding[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return false;
  return true;
}

/**
 * Whether two versions' findings show the same diagnostics (what an editor displays:
 * ranges, severities, rules, messages, related places), so a pull may answer "unchanged".
 */
export function sameDiagnostics(a: readonly Finding[], b: readonly Finding[]): boolean {
  if (a.length !== b.length) return false;
  const samePosition = (x: Position, y: Position) => x.line === y.line && x.character === y.character;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x.ruleId !== y.ruleId || x.severity !== y.severity || x.message !== y.message || x.catalogId !== y.catalogId) return false;
    if (!samePosition(x.range.start, y.range.start) || !samePosition(x.range.end, y.range.end) || x.related.length !== y.related.length) return false;
    for (let j = 0; j < x.related.length; j++) {
      const r = x.related[j];
      const s = y.related[j];
      if (r.file !== s.file || r.message !== s.message || !samePosition(r.range.start, s.range.start) || !samePosition(r.range.end, s.range.end)) return false;
    }
  }
  return true;
}
