/**
 * Where shell code lives in each kind of file: a whole script, Makefile
 * recipes, `run:`/`script:` values in CI YAML, Ansible `shell:`, Jenkins
 * `sh '…'`. Each piece is handed to the shell lexer as the text the shell will
 * read, with a map back to exact offsets in the file so that findings and
 * fixes land where the user wrote them.
 */
import { isCollection, isMap, isPair, isScalar, isSeq, Scalar } from 'yaml';
import type { Node, Pair } from 'yaml';
import type { ShellDialect } from '../shell/lexer';
import type { ParsedYaml } from '../yaml/yamlModel';
import type { Span } from '../types';

export interface ShellSource {
  /** The shell code as the shell reads it (block indentation and string escapes removed). */
  text: string;
  dialect: ShellDialect;
  /** Where the code sits: `script`, `recipe`, `yaml`, `groovy`. */
  origin: 'script' | 'recipe' | 'yaml' | 'groovy';
  /** Maps an offset in `text` to the file. */
  toFile(offset: number): number;
  /**
   * Shell code written as it must appear in the file at this place (make's `$$`,
   * a Groovy string's `\$`, YAML quoting); undefined when it cannot be written
   * there safely, and a fix then stays guidance.
   */
  encode(shellCode: string): string | undefined;
}

/** Runs of decoded text that map linearly onto the file. */
class OffsetMap {
  private readonly textStarts: number[] = [];
  private readonly fileStarts: number[] = [];

  add(textOffset: number, fileOffset: number): void {
    const last = this.textStarts.length - 1;
    // Extend the current run when this character follows it in both texts.
    if (last >= 0 && textOffset - this.textStarts[last] === fileOffset - this.fileStarts[last]) return;
    this.textStarts.push(textOffset);
    this.fileStarts.push(fileOffset);
  }

  toFile(offset: number): number {
    let low = 0;
    let high = this.textStarts.length - 1;
    if (high < 0) return offset;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.textStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return this.fileStarts[low] + (offset - this.textStarts[low]);
  }
}

export function spanToFile(source: ShellSource, span: Span): Span {
  return { start: source.toFile(span.start), end: span.end > span.start ? source.toFile(span.end - 1) + 1 : source.toFile(span.start) };
}

const identityEncode = (code: string) => code;

export function wholeScript(text: string): ShellSource {
  return { text, dialect: 'sh', origin: 'script', toFile: (offset) => offset, encode: identityEncode };
}

/** Makefile recipe lines (after a tab), the shell code make hands to `/bin/sh`. */
export function makefileRecipes(text: string): ShellSource | undefined {
  const map = new OffsetMap();
  let code = '';
  let inRule = false;
  let continued = false;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(lineStart, end);
    if (line.startsWith('\t') && (inRule || continued)) {
      let skip = 1;
      if (!continued) while (/[@+-]/.test(line[skip] ?? '')) skip++;
      for (let i = skip; i < line.length; i++) map.add(code.length + i - skip, lineStart + i);
      code += line.slice(skip) + '\n';
      continued = line.endsWith('\\');
    } else {
      continued = false;
      if (/^[^\t#=\s][^=]*:(?!=)/.test(line)) inRule = true;
      else if (line.trim() !== '' && !line.startsWith('#')) inRule = false;
    }
    if (newline < 0) break;
    lineStart = newline + 1;
  }
  if (code === '') return undefined;
  const encode = (shellCode: string) => shellCode.replace(/\$/g, '$$$$');
  return { text: code, dialect: 'make', origin: 'recipe', toFile: (offset) => map.toFile(offset), encode };
}

/** Keys whose string value (or list of strings) is shell code in CI and Ansible YAML. */
const SHELL_KEYS = new Set(['run', 'script', 'before_script', 'after_script', 'shell', 'command', 'cmd', 'ansible.builtin.shell', 'ansible.builtin.command', 'ansible.legacy.shell', 'ansible.legacy.command']);

const pairsByYaml = new WeakMap<ParsedYaml, Pair[]>();

/**
 * Every pair of every document, in the order `visit` meets them (a pair, then its key, then its
 * value): the shell steps, environment maps and `uri` tasks are all read from it, in one walk
 * instead of one `visit` each.
 */
export function pairsOf(yaml: ParsedYaml): Pair[] {
  let pairs = pairsByYaml.get(yaml);
  if (pairs) return pairs;
  pairs = [];
  const walk = (node: unknown): void => {
    if (isCollection(node)) for (const item of node.items) walk(item);
    else if (isPair(node)) {
      pairs!.push(node);
      walk(node.key);
      walk(node.value);
    }
  };
  for (const doc of yaml.documents) walk(doc.contents);
  pairsByYaml.set(yaml, pairs);
  return pairs;
}

export function yamlShellSources(yaml: ParsedYaml, text: string): ShellSource[] {
  const sources: ShellSource[] = [];
  for (const pair of pairsOf(yaml)) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (!key || !SHELL_KEYS.has(key)) continue;
    const value = pair.value as Node | null;
    const scalars = isSeq(value) ? value.items.filter(isScalar) : isScalar(value) ? [value] : [];
    for (const scalar of scalars) {
      const source = scalarSource(scalar, text);
      if (source) sources.push(source);
    }
  }
  return sources;
}

/** The decoded value of a YAML string scalar, mapped back to the file. */
export function scalarSource(scalar: Scalar, text: string): ShellSource | undefined {
  if (typeof scalar.value !== 'string' || !scalar.range) return undefined;
  const [start, end] = scalar.range;
  switch (scalar.type) {
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED:
      return blockSource(text, start, end, scalar.type === Scalar.BLOCK_FOLDED);
    case Scalar.PLAIN: {
      // Folded lines become spaces: same length, so offsets stay linear.
      const code = text.slice(start, end).replace(/\r?\n/g, (m) => ' '.repeat(m.length));
      const encode = (shellCode: string) => (/: | #|\n/.test(shellCode) ? undefined : shellCode);
      return { text: code, dialect: 'sh', origin: 'yaml', toFile: (offset) => start + offset, encode };
    }
    case Scalar.QUOTE_SINGLE:
      return decodeQuoted(text, start + 1, end - 1, (i) => (text[i] === "'" && text[i + 1] === "'" ? { char: "'", length: 2 } : undefined), (code) =>
        code.includes('\n') ? undefined : code.replace(/'/g, "''"),
      );
    case Scalar.QUOTE_DOUBLE:
      return decodeQuoted(text, start + 1, end - 1, (i) => (text[i] === '\\' ? { char: DOUBLE_ESCAPES[text[i + 1]] ?? text[i + 1], length: 2 } : undefined), (code) =>
        code.includes('\n') ? undefined : code.replace(/[\\"]/g, '\\$&'),
      );
    default:
      return undefined;
  }
}

const DOUBLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', '0': '\0' };

function decodeQuoted(
  text: string,
  from: number,
  to: number,
  escape: (i: number) => { char: string; length: number } | undefined,
  encode: (code: string) => string | undefined,
  dialect: ShellDialect = 'sh',
  origin: ShellSource['origin'] = 'yaml',
): ShellSource {
  const map = new OffsetMap();
  let code = '';
  for (let i = from; i < to; ) {
    const escaped = escape(i);
    map.add(code.length, i);
    if (escaped) {
      code += escaped.char;
      i += escaped.length;
    } else {
      code += text[i];
      i++;
    }
  }
  return { text: code, dialect, origin, toFile: (offset) => map.toFile(offset), encode };
}

function blockSource(text: string, start: number, end: number, folded: boolean): ShellSource | undefined {
  const headerEnd = text.indexOf('\n', start);
  if (headerEnd < 0 || headerEnd >= end) return undefined;
  const header = text.slice(start, headerEnd);
  const explicit = /^[|>][+-]?([1-9])/.exec(header);
  // The block's indentation is its first non-blank line's, unless the header says.
  let indent = -1;
  const lineIndent = (from: number) => {
    let i = from;
    while (text[i] === ' ') i++;
    return i - from;
  };
  if (explicit) {
    const lineStartOfHeader = text.lastIndexOf('\n', start) + 1;
    indent = lineIndent(lineStartOfHeader) + Number(explicit[1]);
  }
  const map = new OffsetMap();
  let code = '';
  let lineStart = headerEnd + 1;
  while (lineStart < end) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline < 0 || newline > end ? end : newline;
    const line = text.slice(lineStart, lineEnd);
    if (line.trim() !== '') {
      if (indent < 0) indent = lineIndent(lineStart);
      const skip = Math.min(indent, line.length);
      for (let i = skip; i < line.length; i++) map.add(code.length + i - skip, lineStart + i);
      code += line.slice(skip);
    }
    // Only a newline the file has: one added at the end of the file would map past it.
    if (newline < 0 || newline >= end) break;
    code += folded && line.trim() !== '' ? ' ' : '\n';
    lineStart = newline + 1;
  }
  return { text: code, dialect: 'sh', origin: 'yaml', toFile: (offset) => map.toFile(offset), encode: (shellCode) => (shellCode.includes('\n') ? undefined : shellCode) };
}

/** `sh '…'`, `sh "…"`, `sh '''…'''`, `sh """…"""` and `sh(script: …)` steps of a Jenkinsfile. */
export function jenkinsShellSources(text: string): ShellSource[] {
  const sources: ShellSource[] = [];
  const step = /\b(?:sh|bash)\s*\(?\s*(?:script\s*:\s*)?('''|"""|'|")/g;
  for (let match = step.exec(text); match; match = step.exec(text)) {
    const quote = match[1];
    const from = match.index + match[0].length;
    let to: number;
    if (quote.length === 3) {
      to = text.indexOf(quote, from);
      if (to < 0) to = text.length;
    } else {
      to = from;
      while (to < text.length && text[to] !== quote && text[to] !== '\n') to += text[to] === '\\' ? 2 : 1;
      to = Math.min(to, text.length);
    }
    const gstring = quote.startsWith('"');
    const encode = (code: string) => {
      if (code.includes(quote) || (quote.length === 1 && code.includes('\n'))) return undefined;
      let written = code.replace(/\\/g, '\\\\');
      if (gstring) written = written.replace(/\$/g, '\\$');
      return quote.length === 1 ? written.replace(new RegExp(quote, 'g'), `\\${quote}`) : written;
    };
    // Groovy drops a backslash-newline and keeps the character after any other backslash.
    const escape = (i: number) => (text[i] === '\\' && i + 1 < to ? { char: text[i + 1] === '\n' ? '' : text[i + 1], length: 2 } : undefined);
    sources.push(decodeQuoted(text, from, to, escape, encode, 'sh', 'groovy'));
    step.lastIndex = Math.max(step.lastIndex, to + quote.length);
  }
  return sources;
}

/** Maps of `KEY: value` that CI systems and compose export as environment variables. */
export function yamlEnvironment(yaml: ParsedYaml): { name: string; value: string; span: Span; scalar: Scalar }[] {
  const entries: { name: string; value: string; span: Span; scalar: Scalar }[] = [];
  for (const pair of pairsOf(yaml)) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key !== 'env' && key !== 'variables' && key !== 'environment' && key !== 'vars') continue;
    const value = pair.value as Node | null;
    if (isMap(value)) {
      for (const item of value.items) {
        if (!isPair(item) || !isScalar(item.key) || !isScalar(item.value) || !item.value.range) continue;
        const v = item.value.value;
        if (typeof v !== 'string' && typeof v !== 'number') continue;
        entries.push({ name: String(item.key.value), value: String(v), span: { start: item.value.range[0], end: item.value.range[1] }, scalar: item.value });
      }
    } else if (isSeq(value)) {
      // compose's list form: `- KEY=value`
      for (const item of value.items) {
        if (!isScalar(item) || typeof item.value !== 'string' || !item.range) continue;
        const eq = item.value.indexOf('=');
        if (eq > 0) entries.push({ name: item.value.slice(0, eq), value: item.value.slice(eq + 1), span: { start: item.range[0], end: item.range[1] }, scalar: item });
      }
    }
  }
  return entries;
}
