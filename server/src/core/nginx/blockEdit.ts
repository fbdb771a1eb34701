/**
 * Parsing a text after an edit inside one block of an earlier parsed version
 * (typing in a large nginx.conf, issue 11 item 8): only the innermost block
 * holding the changed stretch is lexed and parsed again; the rest of the tree
 * is copied, moved by the edit's length and line count after it. The result is
 * the tree {@link parseNginx} gives for the whole text (tested on seeded edits),
 * or undefined when that cannot be shown and the caller parses it all.
 *
 * Why it is the same. The lexer reads forward only in a text without template
 * syntax and Lua bodies (the `{#`, `{{`, `{%` and Lua rules look ahead or span
 * blocks), and an earlier parse without errors has no unterminated string
 * (which reads to the end of the file). So every token before the block's `{`
 * is what it was, and the parser enters the block in the same state. The block
 * is then lexed in the new text, from just after its `{`, until its `}` closes
 * it: it must be the same `}`, moved. From there on the text is the earlier
 * one's end, read in the same state, so it gives the same tokens, moved, and
 * no error (there was none). A text that short cannot reach the token limit.
 */
import type { NginxArg, NginxComment, NginxDirective, NginxFile } from './ast';
import { lineOf, MAX_TOKENS, parseNginx, TreeBuilder } from './parser';
import { sharedEnds, type SharedEnds } from '../text';
import type { Span } from '../types';

/** Text whose lexing looks ahead past a block or reads across blocks (see above). */
export const NOT_CONTEXT_FREE: readonly string[] = ['{{', '{%', '{#', '_by_lua'];

/**
 * Whether `text` holds none of `markers`; given the stretch [from, to) an edit changed, whether none
 * overlaps it (the caller knows the earlier version held none, so one the text has now must overlap it).
 */
export function holdsNoMarker(text: string, markers: readonly string[], from = 0, to = text.length): boolean {
  let longest = 0;
  for (const marker of markers) longest = Math.max(longest, marker.length);
  const stretch = from === 0 && to === text.length ? text : text.slice(Math.max(0, from - longest + 1), to + longest - 1);
  return !markers.some((marker) => stretch.includes(marker));
}

/** Parsed texts known to hold none of {@link NOT_CONTEXT_FREE}: each later version checks only its changed stretch. */
const contextFree = new WeakSet<NginxFile>();

/**
 * `parseNginx(text, path)`, reusing `earlier` (a parse of an earlier version of the
 * same file) where the edit allows. `ends`: sharedEnds(earlier.text, text), when known.
 */
export function parseNginxAfterEdit(earlier: NginxFile | undefined, text: string, path: string, ends?: SharedEnds): NginxFile {
  const reparsed = earlier ? reparseEditedBlock(earlier, text, path, ends) : undefined;
  const file = reparsed ?? parseNginx(text, path);
  if (reparsed || (file.errors.length === 0 && isContextFree(text, 0, text.length))) contextFree.add(file);
  return file;
}

function isContextFree(text: string, from: number, to: number): boolean {
  return holdsNoMarker(text, NOT_CONTEXT_FREE, from, to);
}

/** The new tree, or undefined when the edit is not strictly inside one block or the block's end moved. */
export function reparseEditedBlock(earlier: NginxFile, text: string, path: string, ends?: SharedEnds): NginxFile | undefined {
  const old = earlier.text;
  if (earlier.path !== path || old === text || earlier.errors.length > 0 || text.length > MAX_TOKENS) return undefined;
  if (!contextFree.has(earlier) && !isContextFree(old, 0, old.length)) return undefined;
  const { prefix, suffix } = ends ?? sharedEnds(old, text);
  const oldEnd = old.length - suffix;
  const delta = text.length - old.length;
  // A marker in the new text that was not in the earlier one overlaps the changed stretch.
  if (!isContextFree(text, prefix, oldEnd + delta)) return undefined;

  // The blocks holding the changed stretch strictly between their `{` and `}`, outermost first.
  const enclosing: NginxDirective[] = [];
  for (let list = earlier.directives; ; ) {
    const holder = list.find((d) => d.blockSpan !== undefined && d.blockSpan.start < prefix && oldEnd < d.blockSpan.end);
    if (!holder) break;
    enclosing.push(holder);
    list = holder.block!;
  }
  const block = enclosing[enclosing.length - 1];
  if (!block || old.charCodeAt(block.blockSpan!.end - 1) !== 0x7d) return undefined;

  const inside = block.blockSpan!.start + 1;
  const oldClose = block.blockSpan!.end - 1;
  const insideLine = lineOf(old, block.nameSpan.start, block.line, inside);
  const file: NginxFile = { path, text, directives: [], comments: [], errors: [] };
  // Its ends are set when the parse reaches its `}`.
  const content: NginxDirective[] = [];
  const edited = withBlock(block, path, { start: block.span.start, end: -1 }, { start: block.blockSpan!.start, end: -1 }, content);

  const comments = earlier.comments;
  let firstInside = 0;
  while (firstInside < comments.length && comments[firstInside].span.start < inside) firstInside++;
  for (let i = 0; i < firstInside; i++) file.comments.push(comments[i]);

  // The block's content in the new text, to the `}` that closes it.
  const builder = new TreeBuilder(text, path, file, [
    { directive: null, list: [], open: null },
    { directive: edited, list: content, open: null },
  ]);
  const lexer = builder.lexer;
  lexer.resume(inside, insideLine);
  let closeLine = -1;
  for (let token = lexer.next(); ; token = lexer.next()) {
    if (!token || token.end > oldClose + delta + 1) return undefined;
    builder.take(token);
    if (builder.frames.length === 1) {
      // Only a `}` pops a block.
      if (token.start !== oldClose + delta) return undefined;
      closeLine = token.line;
      break;
    }
  }
  const lines = closeLine - lineOf(old, inside, insideLine, oldClose);

  let firstAfter = firstInside;
  while (firstAfter < comments.length && comments[firstAfter].span.start < oldClose) firstAfter++;
  for (let i = firstAfter; i < comments.length; i++) file.comments.push(movedComment(comments[i], delta, lines));

  // The blocks around it, innermost first: their earlier directives as they were, their later ones moved.
  let replacement = edited;
  for (let level = enclosing.length - 1; level >= 0; level--) {
    const siblings = level === 0 ? earlier.directives : enclosing[level - 1].block!;
    const at = siblings.indexOf(enclosing[level]);
    const before = copied(siblings, 0, at, 0, 0, 0);
    const after = copied(siblings, at + 1, siblings.length, delta, lines, 0);
    if (!before || !after) return undefined;
    const list = [...before, replacement, ...after];
    if (level === 0) {
      file.directives = list;
      break;
    }
    const parent = enclosing[level - 1];
    replacement = withBlock(parent, path, { start: parent.span.start, end: parent.span.end + delta }, { start: parent.blockSpan!.start, end: parent.blockSpan!.end + delta }, list);
  }
  return file;
}

/** A block directive of the new tree that encloses the edit: `d`'s name and arguments (before the edit, unmoved), with the given spans and block. */
function withBlock(d: NginxDirective, path: string, span: Span, blockSpan: Span, block: NginxDirective[]): NginxDirective {
  const copy: NginxDirective = { name: d.name, nameSpan: d.nameSpan, args: d.args, span, line: d.line, file: path, templated: d.templated };
  copy.block = block;
  copy.blockSpan = blockSpan;
  return copy;
}

function moved(span: Span, delta: number): Span {
  return delta === 0 ? span : { start: span.start + delta, end: span.end + delta };
}

function movedComment(comment: NginxComment, delta: number, lines: number): NginxComment {
  return { text: comment.text, span: moved(comment.span, delta), line: comment.line + lines };
}

/**
 * Copies of `list[from..to)` and everything in their blocks, moved by `delta`
 * characters and `lines` lines: new objects, so nothing set on the earlier tree
 * later (an include's files) shows in this one. Spans are never changed in place,
 * so unmoved ones are shared. Written to allocate nothing but the copies (no
 * closures, no work lists), so the garbage collector finds whole pages of them
 * alive and promotes the pages instead of copying each object. Undefined when
 * blocks nest deeper than {@link MAX_COPY_DEPTH} below `depth` (the caller parses the whole text).
 */
function copied(list: readonly NginxDirective[], from: number, to: number, delta: number, lines: number, depth: number): NginxDirective[] | undefined {
  // A slice, overwritten: an array of its final size and kind, as map() makes (push() grows and copies).
  const copies = list.slice(from, to);
  for (let i = 0; i < copies.length; i++) {
    const copy = copyDirective(copies[i], delta, lines, depth);
    if (!copy) return undefined;
    copies[i] = copy;
  }
  return copies;
}

/** Deeper blocks than this are not copied (the stack). */
const MAX_COPY_DEPTH = 500;

function copyDirective(d: NginxDirective, delta: number, lines: number, depth: number): NginxDirective | undefined {
  const copy: NginxDirective = {
    name: d.name,
    nameSpan: moved(d.nameSpan, delta),
    args: delta === 0 || d.args.length === 0 ? d.args : copyArgs(d.args, delta),
    span: moved(d.span, delta),
    line: d.line + lines,
    file: d.file,
    templated: d.templated,
  };
  if (d.block) {
    if (depth >= MAX_COPY_DEPTH) return undefined;
    const block = copied(d.block, 0, d.block.length, delta, lines, depth + 1);
    if (!block) return undefined;
    copy.block = block;
    copy.blockSpan = moved(d.blockSpan!, delta);
  }
  return copy;
}

function copyArgs(args: readonly NginxArg[], delta: number): NginxArg[] {
  const copies = args.slice();
  for (let i = 0; i < copies.length; i++) {
    const arg = copies[i];
    copies[i] = { value: arg.value, span: { start: arg.span.start + delta, end: arg.span.end + delta }, quote: arg.quote, templated: arg.templated };
  }
  return copies;
}
