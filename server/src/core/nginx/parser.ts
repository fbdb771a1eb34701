/**
 * The nginx config parser. It lexes the way nginx and crossplane do (words,
 * quotes, `;`, `{`, `}`, `#` comments, `${var}`, raw `*_by_lua_block` bodies),
 * masks Jinja/Helm/envsubst template syntax so templates never produce a bogus
 * tree, and never throws: syntax errors become {@link NginxParseError}s and
 * parsing goes on. Everything is iterative and linear in the input size, so
 * hostile input (binary garbage, huge files, 10,000 nested braces) is safe.
 */
import type { NginxArg, NginxComment, NginxDirective, NginxFile } from './ast';
import { endsLine, formatCount } from '../text';

const enum Kind {
  Word,
  Open,
  Close,
  Semi,
  Comment,
  /** A `{% ... %}` or `{# ... #}` template tag: skipped like white space. */
  Tag,
}

export interface Token {
  kind: Kind;
  start: number;
  end: number;
  line: number;
  /** Word value (unquoted, unescaped), or comment text. */
  value: string;
  quote: '"' | "'" | null;
  templated: boolean;
  /** Nothing but white space precedes it on its line. */
  lineStart: boolean;
}

/** Errors kept per file; more would only cost memory on garbage input. */
const MAX_ERRORS = 1000;
/**
 * Tokens parsed per file. Real configs have tens of thousands; past this the
 * tree would cost gigabytes, so parsing stops with an error.
 */
export const MAX_TOKENS = 2_000_000;
/** Arguments kept per directive (nginx itself accepts at most a few dozen). */
const MAX_ARGS = 10000;

/**
 * Block directives: an argument on a new line with one of these names, in a
 * directive that then opens a block, means the directive before it lacks `;`.
 */
const BLOCK_NAMES = new Set([
  'http', 'server', 'location', 'upstream', 'events', 'stream', 'mail', 'if',
  'map', 'geo', 'types', 'limit_except', 'split_clients', 'match', 'charset_map',
]);

const LUA_BLOCK = /_by_lua_block$/;
const ENVSUBST_ONLY = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

export class Lexer {
  pos = 0;
  line = 1;
  private atLineStart = true;
  /** For each closing marker, the smallest offset from which it is known to be absent. */
  private readonly missingFrom = new Map<string, number>();
  /** The first line break at or after `newlineFrom` is at `newlineAt`. */
  private newlineFrom = -1;
  private newlineAt = -1;
  private readonly looksTemplated: boolean;

  constructor(
    private readonly text: string,
    private readonly error: (message: string, start: number, end: number, line: number) => void,
  ) {
    this.looksTemplated = text.includes('{{') || text.includes('{%');
  }

  /** Go on from `pos` on line `line`, right after a token that was not a line's first: to lex one block again (blockEdit.ts). */
  resume(pos: number, line: number): void {
    this.pos = pos;
    this.line = line;
    this.atLineStart = false;
  }

  /** Go back to just before `token`, to lex from there again. */
  rewind(token: Token): void {
    this.pos = token.start;
    this.line = token.line;
    this.atLineStart = token.lineStart;
  }

  /** Offset of the first line break at or after `from` (or the text length). */
  private lineEnd(from: number): number {
    if (from >= this.newlineFrom && from <= this.newlineAt) return this.newlineAt;
    const text = this.text;
    let i = from;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 10 || c === 13) break;
      i++;
    }
    this.newlineFrom = from;
    this.newlineAt = i;
    return i;
  }

  /** `text.indexOf(marker, from)`, remembering misses so repeated searches stay linear. */
  private findClose(marker: string, from: number): number {
    const missing = this.missingFrom.get(marker);
    if (missing !== undefined && from >= missing) return -1;
    const found = this.text.indexOf(marker, from);
    if (found < 0) this.missingFrom.set(marker, Math.min(from, missing ?? from));
    return found;
  }

  private countLines(from: number, to: number): void {
    this.line = lineOf(this.text, from, this.line, to);
  }

  private skipSpace(): void {
    const text = this.text;
    let i = this.pos;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (!isSpace(c)) break;
      if (endsLine(text, i)) {
        this.line++;
        this.atLineStart = true;
      }
      i++;
    }
    this.pos = i;
  }

  private make(kind: Kind, start: number, end: number, line: number, lineStart: boolean, value = '', quote: Token['quote'] = null, templated = false): Token {
    this.countLines(start, end);
    this.pos = end;
    return { kind, start, end, line, value, quote, templated, lineStart };
  }

  next(): Token | null {
    this.skipSpace();
    const text = this.text;
    const start = this.pos;
    if (start >= text.length) return null;
    const line = this.line;
    const lineStart = this.atLineStart;
    this.atLineStart = false;
    const c = text.charCodeAt(start);
    if (c === 35 /* # */) {
      const end = this.lineEnd(start);
      return this.make(Kind.Comment, start, end, line, lineStart, text.slice(start + 1, end));
    }
    if (c === 123 /* { */) {
      const n = text.charCodeAt(start + 1);
      if (n === 37 /* % */) return this.tag(start, '%}', line, lineStart);
      if (n === 35 /* # */ && this.isTemplateComment(start)) return this.tag(start, '#}', line, lineStart);
      if (n !== 123) return this.make(Kind.Open, start, start + 1, line, lineStart, '{');
      // `{{`: a template expression starts a word.
    }
    if (c === 125 /* } */) return this.make(Kind.Close, start, start + 1, line, lineStart, '}');
    if (c === 59 /* ; */) return this.make(Kind.Semi, start, start + 1, line, lineStart, ';');
    if (c === 34 || c === 39) return this.quoted(start, line, lineStart);
    return this.word(start, line, lineStart);
  }

  /** `{#` is a Jinja comment only if `#}` closes it on the line, or anywhere in a file that uses templates. */
  private isTemplateComment(start: number): boolean {
    const close = this.findClose('#}', start + 2);
    if (close < 0) return false;
    return close < this.lineEnd(start) || this.looksTemplated;
  }

  private tag(start: number, marker: string, line: number, lineStart: boolean): Token {
    const close = this.findClose(marker, start + 2);
    let end: number;
    if (close < 0) {
      end = this.lineEnd(start);
      this.error(`unterminated template tag (missing "${marker}")`, start, end, line);
    } else {
      end = close + 2;
    }
    return this.make(Kind.Tag, start, end, line, lineStart, this.text.slice(start, end), null, true);
  }

  /** Skips a `{{ ... }}` expression starting at `i`; returns the offset after it. */
  private templateExpression(i: number, line: number, sameLine: boolean): number {
    const close = this.findClose('}}', i + 2);
    if (close >= 0 && (!sameLine || close < this.lineEnd(i))) return close + 2;
    if (sameLine) return -1;
    const end = this.lineEnd(i);
    this.error('unterminated template expression (missing "}}")', i, end, line);
    return end;
  }

  private word(start: number, line: number, lineStart: boolean): Token {
    const text = this.text;
    const length = text.length;
    let templated = false;
    let i = start;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c === 92 /* \ */) {
        i = Math.min(i + 2, length);
        continue;
      }
      if (isSpace(c) || c === 59 || c === 125) break;
      if (c === 123 /* { */) {
        const n = text.charCodeAt(i + 1);
        if (n === 123 /* {{ */) {
          i = this.templateExpression(i, line, false);
          templated = true;
          continue;
        }
        if (n === 37 /* {% */) {
          const close = this.findClose('%}', i + 2);
          templated = true;
          if (close < 0) {
            const end = this.lineEnd(i);
            this.error('unterminated template tag (missing "%}")', i, end, line);
            i = end;
          } else {
            i = close + 2;
          }
          continue;
        }
        if (i > start && text.charCodeAt(i - 1) === 36 /* $ */) {
          // `${var}`: nginx's braced variable; the braces are part of the word.
          let j = i;
          while (j < length && text.charCodeAt(j) !== 125 && !isSpace(text.charCodeAt(j))) j++;
          if (j < length && text.charCodeAt(j) === 125) j++;
          i = j;
          continue;
        }
        break;
      }
      i++;
    }
    return this.make(Kind.Word, start, i, line, lineStart, text.slice(start, i), null, templated);
  }

  private quoted(start: number, line: number, lineStart: boolean): Token {
    const text = this.text;
    const length = text.length;
    const q = text.charCodeAt(start);
    const quote = q === 34 ? '"' : "'";
    let templated = false;
    let escaped = false;
    let i = start + 1;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c === 92) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c === q) break;
      if (c === 123 && text.charCodeAt(i + 1) === 123) {
        const after = this.templateExpression(i, line, true);
        if (after >= 0) {
          templated = true;
          i = after;
          continue;
        }
      }
      i++;
    }
    if (i >= length) {
      // Unterminated: end the string at its first line break so the rest of the file still parses.
      const end = this.lineEnd(start);
      this.error(`unterminated string (missing closing ${quote})`, start, end, line);
      return this.make(Kind.Word, start, end, line, lineStart, unescape(text.slice(start + 1, end), quote, escaped), quote, templated);
    }
    return this.make(Kind.Word, start, i + 1, line, lineStart, unescape(text.slice(start + 1, i), quote, escaped), quote, templated);
  }

  /**
   * After a `*_by_lua_block` name: the `{ ... }` Lua body as one word token
   * (span covers the braces, value is the inside), or null if no `{` follows.
   * Lua strings, long brackets and `--` comments may hold unbalanced braces.
   */
  luaBody(): Token | null {
    const savedPos = this.pos;
    const savedLine = this.line;
    const savedLineStart = this.atLineStart;
    this.skipSpace();
    const text = this.text;
    const length = text.length;
    const start = this.pos;
    if (text.charCodeAt(start) !== 123 /* { */ || text.charCodeAt(start + 1) === 123) {
      this.pos = savedPos;
      this.line = savedLine;
      this.atLineStart = savedLineStart;
      return null;
    }
    const line = this.line;
    const lineStart = this.atLineStart;
    this.atLineStart = false;
    let depth = 1;
    let i = start + 1;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
        const level = longBracketLevel(text, i + 2);
        if (level >= 0) {
          const close = this.findClose(']' + '='.repeat(level) + ']', i + 4 + level);
          i = close < 0 ? length : close + level + 2;
        } else {
          i = this.lineEnd(i);
        }
        continue;
      }
      if (c === 34 || c === 39) {
        let j = i + 1;
        while (j < length) {
          const d = text.charCodeAt(j);
          if (d === 92) j += 2;
          else if (d === c || d === 10 || d === 13) break;
          else j++;
        }
        i = j + 1;
        continue;
      }
      if (c === 91 /* [ */) {
        const level = longBracketLevel(text, i);
        if (level >= 0) {
          const close = this.findClose(']' + '='.repeat(level) + ']', i + level + 2);
          if (close >= 0) {
            i = close + level + 2;
            continue;
          }
        }
      } else if (c === 123) {
        depth++;
      } else if (c === 125) {
        depth--;
        if (depth === 0) break;
      }
      i++;
    }
    if (depth > 0) {
      this.error('unterminated Lua block (missing "}")', start, length, line);
      return this.make(Kind.Word, start, length, line, lineStart, text.slice(start + 1, length));
    }
    return this.make(Kind.Word, start, i + 1, line, lineStart, text.slice(start + 1, i));
  }

  /** Nothing but blanks, or a comment, follows `end` on its line. */
  restOfLineBlank(end: number): boolean {
    const text = this.text;
    let i = end;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 10 || c === 13 || c === 35) return true;
      if (c !== 32 && c !== 9) return false;
      i++;
    }
    return true;
  }
}

/** `[[`, `[=[`, ... at `i`: the number of `=`; -1 if there is no long bracket. */
function longBracketLevel(text: string, i: number): number {
  if (text.charCodeAt(i) !== 91) return -1;
  let j = i + 1;
  while (text.charCodeAt(j) === 61 /* = */) j++;
  return text.charCodeAt(j) === 91 ? j - i - 1 : -1;
}

/** crossplane unescapes only the string's own quote; other escapes stay as written. */
function unescape(raw: string, quote: string, escaped: boolean): string {
  if (!escaped) return raw;
  return raw.replace(/\\([\s\S])/g, (match, ch: string) => (ch === quote ? ch : match));
}

interface Statement {
  name: Token;
  args: NginxArg[];
  argLineStart: boolean[];
  templated: boolean;
  lastEnd: number;
  tooManyArgs: boolean;
}

export interface Frame {
  /** The block's directive; null for the file and for a `{` that had no directive. */
  directive: NginxDirective | null;
  list: NginxDirective[];
  open: Token | null;
}

/**
 * Turns tokens into directives, comments and errors: for a whole file
 * ({@link parseNginx}), or from inside one block to its `}` (blockEdit.ts).
 */
export class TreeBuilder {
  readonly lexer: Lexer;
  statement: Statement | null = null;

  constructor(
    private readonly text: string,
    private readonly path: string,
    private readonly file: NginxFile,
    readonly frames: Frame[],
  ) {
    this.lexer = new Lexer(text, this.addError);
  }

  readonly addError = (message: string, start: number, end: number, line: number): void => {
    const errors = this.file.errors;
    if (errors.length < MAX_ERRORS) errors.push({ message, span: { start, end }, line, file: this.path });
    else if (errors.length === MAX_ERRORS) {
      errors.push({ message: `too many errors; only the first ${MAX_ERRORS} are reported`, span: { start, end }, line, file: this.path });
    }
  };

  private begin(name: Token): Statement {
    return {
      name,
      args: [],
      argLineStart: [],
      templated: name.templated || name.value.includes('${'),
      lastEnd: name.end,
      tooManyArgs: false,
    };
  }

  private addArg(s: Statement, token: Token): void {
    s.lastEnd = token.end;
    if (token.templated) s.templated = true;
    if (s.args.length >= MAX_ARGS) {
      if (!s.tooManyArgs) this.addError(`directive "${s.name.value}" has too many arguments`, token.start, token.end, token.line);
      s.tooManyArgs = true;
      return;
    }
    s.args.push({ value: token.value, span: { start: token.start, end: token.end }, quote: token.quote, templated: token.templated });
    s.argLineStart.push(token.lineStart);
  }

  build(s: Statement, end: number): NginxDirective {
    const directive: NginxDirective = {
      name: s.name.value,
      nameSpan: { start: s.name.start, end: s.name.end },
      args: s.args,
      span: { start: s.name.start, end },
      line: s.name.line,
      file: this.path,
      templated: s.templated,
    };
    this.frames[this.frames.length - 1].list.push(directive);
    return directive;
  }

  unterminated(s: Statement): void {
    this.addError(`directive "${s.name.value}" is not terminated by ";"`, s.name.start, s.lastEnd, s.name.line);
    this.build(s, s.lastEnd);
  }

  /**
   * `proxy_pass x` + newline + `location /y {`: the `;` is missing before a
   * block directive that starts a line. Split there so the block survives.
   */
  private splitMissingSemicolon(s: Statement): Statement {
    if (BLOCK_NAMES.has(s.name.value) || s.name.quote !== null) return s;
    for (let k = 0; k < s.args.length; k++) {
      const arg = s.args[k];
      if (!s.argLineStart[k] || arg.quote !== null || !BLOCK_NAMES.has(arg.value)) continue;
      const head: Statement = { ...s, args: s.args.slice(0, k), argLineStart: s.argLineStart.slice(0, k), lastEnd: k > 0 ? s.args[k - 1].span.end : s.name.end };
      head.templated = head.name.templated || head.args.some((a) => a.templated);
      this.unterminated(head);
      const name: Token = { kind: Kind.Word, start: arg.span.start, end: arg.span.end, line: lineOf(this.text, s.name.start, s.name.line, arg.span.start), value: arg.value, quote: null, templated: arg.templated, lineStart: true };
      const tail = this.begin(name);
      tail.args = s.args.slice(k + 1);
      tail.argLineStart = s.argLineStart.slice(k + 1);
      tail.templated = s.templated;
      tail.lastEnd = s.lastEnd;
      return tail;
    }
    return s;
  }

  /** One token from the lexer, in text order. */
  take(token: Token): void {
    const frames = this.frames;
    const statement = this.statement;
    switch (token.kind) {
      case Kind.Comment:
        this.file.comments.push(comment(token));
        break;
      case Kind.Tag:
        if (statement) statement.templated = true;
        break;
      case Kind.Word: {
        if (statement) {
          this.addArg(statement, token);
          break;
        }
        if (isPlaceholder(token, this.lexer)) {
          // A line that is only `{{ ... }}` or `${VAR}` stands for rendered content: keep it as an opaque templated directive.
          frames[frames.length - 1].list.push({
            name: token.value,
            nameSpan: { start: token.start, end: token.end },
            args: [],
            span: { start: token.start, end: token.end },
            line: token.line,
            file: this.path,
            templated: true,
          });
          break;
        }
        const begun = (this.statement = this.begin(token));
        if (LUA_BLOCK.test(token.value) && !token.templated) {
          const lexer = this.lexer;
          if (token.value === 'set_by_lua_block') {
            const target = lexer.next();
            if (target && target.kind === Kind.Word) this.addArg(begun, target);
            else if (target) lexer.rewind(target);
          }
          const body = lexer.luaBody();
          if (body) {
            this.addArg(begun, body);
            this.build(begun, body.end);
            this.statement = null;
          }
        }
        break;
      }
      case Kind.Semi:
        if (statement) {
          this.build(statement, token.end);
          this.statement = null;
        } else {
          this.addError('unexpected ";"', token.start, token.end, token.line);
        }
        break;
      case Kind.Open: {
        if (!statement) {
          this.addError('unexpected "{" (a block needs a directive name)', token.start, token.end, token.line);
          // Keep the braces balanced: the anonymous block's directives go to the enclosing list.
          frames.push({ directive: null, list: frames[frames.length - 1].list, open: token });
          break;
        }
        const s = this.splitMissingSemicolon(statement);
        this.statement = null;
        const directive = this.build(s, -1);
        directive.block = [];
        directive.blockSpan = { start: token.start, end: -1 };
        frames.push({ directive, list: directive.block, open: token });
        break;
      }
      case Kind.Close: {
        if (statement) {
          this.unterminated(statement);
          this.statement = null;
        }
        if (frames.length === 1) {
          this.addError('unexpected "}"', token.start, token.end, token.line);
          break;
        }
        const frame = frames.pop()!;
        if (frame.directive) {
          frame.directive.blockSpan!.end = token.end;
          frame.directive.span.end = token.end;
        }
        break;
      }
    }
  }
}

export function parseNginx(text: string, path: string): NginxFile {
  const file: NginxFile = { path, text, directives: [], comments: [], errors: [] };
  const builder = new TreeBuilder(text, path, file, [{ directive: null, list: file.directives, open: null }]);
  const { lexer, frames } = builder;
  let tokens = 0;
  let truncated = false;
  for (let token = lexer.next(); token !== null; token = lexer.next()) {
    if (++tokens > MAX_TOKENS) {
      truncated = true;
      builder.addError(`the file is too large to check: parsing stopped here, after ${formatCount(MAX_TOKENS)} tokens`, token.start, token.end, token.line);
      break;
    }
    builder.take(token);
  }
  const statement = builder.statement;
  if (statement && truncated) builder.build(statement, statement.lastEnd);
  else if (statement) builder.unterminated(statement);
  for (let i = frames.length - 1; i >= 1; i--) {
    const frame = frames[i];
    const open = frame.open!;
    const what = frame.directive ? `"${frame.directive.name}" block` : 'block';
    if (!truncated) builder.addError(`unexpected end of file, expecting "}" to close the ${what}`, open.start, open.end, open.line);
    if (frame.directive) {
      frame.directive.blockSpan!.end = text.length;
      frame.directive.span.end = text.length;
    }
  }
  return file;
}

function comment(token: Token): NginxComment {
  return { text: token.value, span: { start: token.start, end: token.end }, line: token.line };
}

function isPlaceholder(token: Token, lexer: Lexer): boolean {
  if (!token.lineStart || token.quote !== null) return false;
  const value = token.value;
  const template = token.templated && value.startsWith('{{') && value.endsWith('}}');
  if (!template && !ENVSUBST_ONLY.test(value)) return false;
  return lexer.restOfLineBlank(token.end);
}

/** Line of `offset`, counting breaks from `from` (on line `fromLine`). */
export function lineOf(text: string, from: number, fromLine: number, offset: number): number {
  let line = fromLine;
  for (let i = from; i < offset; i++) if (endsLine(text, i)) line++;
  return line;
}
