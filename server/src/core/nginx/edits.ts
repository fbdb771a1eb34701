/**
 * Text edits for nginx fixes: insert whole directive lines into a block or
 * before a directive, or replace an argument, keeping the file's indentation
 * and line endings. Every helper looks only at the lines it touches, so a fix
 * costs the same in a 10-line file and in a 1 MB one.
 */
import type { TextEdit } from '../types';
import type { NginxDirective } from './ast';

const LINE_INDENT = /[ \t]*/y;

/** Leading white space of the line that holds `offset`. */
export function lineIndentAt(text: string, offset: number): string {
  LINE_INDENT.lastIndex = text.lastIndexOf('\n', offset - 1) + 1;
  return LINE_INDENT.exec(text)![0];
}

/** The line break used around `offset`: the one ending its line, else the one before it (the last line has none). */
export function eolAt(text: string, offset: number): '\r\n' | '\n' {
  const next = text.indexOf('\n', offset);
  if (next > 0) return text[next - 1] === '\r' ? '\r\n' : '\n';
  const previous = text.lastIndexOf('\n', offset - 1);
  return previous > 0 && text[previous - 1] === '\r' ? '\r\n' : '\n';
}

/** One level of indentation as the file uses it (the step from a block's line to its first directive). */
export function indentUnit(text: string, block: NginxDirective, innerIndent: string): string {
  const outer = lineIndentAt(text, block.span.start);
  const step = innerIndent.startsWith(outer) ? innerIndent.slice(outer.length) : '';
  return step !== '' ? step : innerIndent.includes('\t') ? '\t' : '    ';
}

/**
 * An edit that inserts whole lines as the first directives of `block`, with
 * the indentation of its first directive (or one level deeper than the
 * block). A one-line block (`location / { proxy_pass x; }`) gets the text
 * right after its `{`, so it stays inside the block.
 */
export function insertFirstInBlock(text: string, block: NginxDirective, lines: readonly string[]): TextEdit | undefined {
  if (!block.blockSpan || lines.length === 0) return undefined;
  const open = block.blockSpan.start;
  const close = block.blockSpan.end - 1;
  const newline = text.indexOf('\n', open);
  if (newline < 0 || newline >= close) {
    return { span: { start: open + 1, end: open + 1 }, newText: lines.map((line) => ` ${line}`).join('') };
  }
  const eol = eolAt(text, open);
  const blockIndent = lineIndentAt(text, block.span.start);
  let indent = blockIndent + (blockIndent.includes('\t') ? '\t' : '    ');
  const first = block.block?.find((d) => d.file === block.file);
  if (first) {
    const firstIndent = lineIndentAt(text, first.span.start);
    const lineStart = text.lastIndexOf('\n', first.span.start - 1) + 1;
    if (lineStart > open && text.slice(lineStart, first.span.start) === firstIndent) indent = firstIndent;
  }
  return { span: { start: newline + 1, end: newline + 1 }, newText: lines.map((line) => `${indent}${line}${eol}`).join('') };
}

/** An edit that adds `line` on its own line just before `directive`, with its indentation. */
export function insertBefore(text: string, directive: NginxDirective, line: string): TextEdit {
  const lineStart = text.lastIndexOf('\n', directive.span.start - 1) + 1;
  const before = text.slice(lineStart, directive.span.start);
  if (/^[ \t]*$/.test(before)) return { span: { start: lineStart, end: lineStart }, newText: `${before}${line}${eolAt(text, directive.span.start)}` };
  return { span: { start: directive.span.start, end: directive.span.start }, newText: `${line} ` };
}

/** An edit that sets the directive's first argument. */
export function replaceFirstArg(directive: NginxDirective, value: string): TextEdit {
  // `proxy_http_version }1.1;` parses with no argument: write one after the name.
  if (directive.args.length === 0) return { span: { start: directive.nameSpan.end, end: directive.nameSpan.end }, newText: ` ${value}` };
  return { span: directive.args[0].span, newText: value };
}
