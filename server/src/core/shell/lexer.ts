/**
 * A shell word lexer: enough of POSIX sh and bash to know the words of each
 * simple command, how each piece of a word was quoted, and where it came from.
 * It reads here-documents, line continuations, comments, `$'…'`, `$(…)` and
 * backquotes; it never evaluates anything. In the `make` dialect (Makefile
 * recipes) `$$` is the shell's `$` and `$x`, `$(x)`, `${x}` are make's own
 * expansions, which the shell never sees.
 */
import type { Span } from '../types';

export type PartKind =
  /** Unquoted text (backslash escapes removed). */
  | 'literal'
  | 'single'
  | 'ansi'
  /** Literal text inside double quotes. */
  | 'double'
  /** `$name`, `${…}`: a parameter expansion. */
  | 'param'
  /** `$(…)`, `` `…` ``, `$((…))`. */
  | 'command'
  /** Expanded before the shell runs: make's `$x`/`$(x)`, CI's `${{ … }}`. */
  | 'template';

export interface WordPart {
  kind: PartKind;
  /** The decoded text for quoted and literal parts; the source text for expansions. */
  text: string;
  /** For `param`: the parameter name (`TOKEN` in `${TOKEN:-x}`). */
  name?: string;
  /** Whether an expansion sits inside double quotes. */
  inDoubleQuotes: boolean;
  span: Span;
}

export interface Word {
  span: Span;
  parts: WordPart[];
  /** Quote removal applied, expansions kept as written: `-H "Authorization: Bearer $T"` → `Authorization: Bearer $T`. */
  value: string;
  /**
   * Where the characters of `value` come from in the lexed text, as runs (flat triples: offset in
   * `value`, offset in the text, length); `wordSources` expands them. Kept compact because only
   * the few words a rule reports on ever need them.
   */
  segments: number[];
}

export interface SimpleCommand {
  words: Word[];
  span: Span;
  /** Set when a pipe feeds this command's standard input. */
  pipedInto: boolean;
}

export interface LexedShell {
  commands: SimpleCommand[];
  /** Bodies of here-documents (text the shell passes as input, not commands). */
  heredocs: Span[];
  comments: Span[];
}

export type ShellDialect = 'sh' | 'make';

/** Characters that end an unquoted word, and those that need more than copying inside one, by char code. */
export const WORD_BREAK = new Uint8Array(128);
for (const ch of ' \t\r\n;&|()<>') WORD_BREAK[ch.charCodeAt(0)] = 1;
export const UNQUOTED_SPECIAL = new Uint8Array(128);
for (const ch of ' \t\r\n;&|()<>\\\'"`$') UNQUOTED_SPECIAL[ch.charCodeAt(0)] = 1;
export const DOUBLE_QUOTED_SPECIAL = new Uint8Array(128);
for (const ch of '"\\`$') DOUBLE_QUOTED_SPECIAL[ch.charCodeAt(0)] = 1;

/** The end of the run of characters from `from` that a quoting context copies as they are. */
function plainRunEnd(text: string, from: number, special: Uint8Array): number {
  let end = from;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    if (code < 128 && special[code]) break;
    end++;
  }
  return end;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAM = /[0-9@*#?$!-]/;

interface PendingHeredoc {
  delimiter: string;
  stripTabs: boolean;
}

class Lexer {
  private pos = 0;
  readonly commands: SimpleCommand[] = [];
  readonly heredocs: Span[] = [];
  readonly comments: Span[] = [];
  private pending: PendingHeredoc[] = [];
  private depth = 0;
  /** Where the top-level `run` stops: the text's end, or the end of a stretch lexed on its own. */
  limit: number;
  /** Whether the last top-level `run` stopped with nothing pending (no words, redirection or here-document). */
  stoppedClean = true;

  constructor(
    private readonly text: string,
    private readonly dialect: ShellDialect,
  ) {
    this.limit = text.length;
  }

  /** Lexes `start`..`end` on its own; false when the lexer did not stop there with nothing pending. */
  runStretch(start: number, end: number): boolean {
    this.pos = start;
    this.limit = end;
    this.run(false);
    // At the text's end the whole lex stops too, whatever is pending.
    if (end === this.text.length) return this.pos >= end;
    return this.pos === end && this.stoppedClean;
  }

  /** Reads commands until the end, or until an unmatched `)` when `inSubstitution`. */
  run(inSubstitution: boolean): void {
    const { text } = this;
    let words: Word[] = [];
    let commandStart = this.pos;
    let pipedInto = false;
    let nextPiped = false;
    let skipNextWord = false;
    const finish = () => {
      if (words.length > 0) this.commands.push({ words, span: { start: commandStart, end: words[words.length - 1].span.end }, pipedInto });
      words = [];
      pipedInto = nextPiped;
      nextPiped = false;
    };
    const limit = inSubstitution ? text.length : this.limit;
    while (this.pos < limit) {
      const ch = text[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\r') {
        this.pos++;
        continue;
      }
      if (ch === '\\' && text[this.pos + 1] === '\n') {
        this.pos += 2;
        continue;
      }
      if (ch === '\n') {
        finish();
        this.pos++;
        this.readHeredocBodies();
        commandStart = this.pos;
        continue;
      }
      if (ch === '#') {
        const end = lineEnd(text, this.pos);
        this.comments.push({ start: this.pos, end });
        this.pos = end;
        continue;
      }
      if (ch === ')' && inSubstitution) {
        finish();
        return;
      }
      if (ch === ';' || ch === '&' || ch === '|' || ch === '(' || ch === ')') {
        const pipe = ch === '|' && text[this.pos + 1] !== '|';
        finish();
        if (pipe) pipedInto = true;
        this.pos += text[this.pos + 1] === ch ? 2 : 1;
        commandStart = this.pos;
        continue;
      }
      if (ch === '<' || ch === '>') {
        // Redirections: the operator and its target are not arguments.
        if (text.startsWith('<<<', this.pos)) this.pos += 3;
        else if (ch === '<' && text[this.pos + 1] === '<') {
          const stripTabs = text[this.pos + 2] === '-';
          this.pos += stripTabs ? 3 : 2;
          this.skipBlanks();
          const delimiterWord = this.readWord();
          if (delimiterWord) this.pending.push({ delimiter: delimiterWord.parts.map((p) => p.text).join(''), stripTabs });
          continue;
        } else {
          this.pos++;
          while (text[this.pos] === '>' || text[this.pos] === '&' || text[this.pos] === '|') this.pos++;
          if (text[this.pos - 1] === '&' && /[0-9-]/.test(text[this.pos] ?? '')) {
            while (/[0-9-]/.test(text[this.pos] ?? '')) this.pos++;
            continue;
          }
        }
        skipNextWord = true;
        continue;
      }
      const word = this.readWord();
      if (!word) {
        this.pos++;
        continue;
      }
      if (skipNextWord) {
        skipNextWord = false;
        continue;
      }
      // `2>file`: the descriptor number belongs to the redirection.
      if (/^[0-9]+$/.test(word.value) && (text[this.pos] === '>' || text[this.pos] === '<')) continue;
      if (words.length === 0) commandStart = word.span.start;
      words.push(word);
    }
    if (!inSubstitution) this.stoppedClean = words.length === 0 && !skipNextWord && this.pending.length === 0;
    finish();
  }

  private skipBlanks(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }

  private readHeredocBodies(): void {
    const { text } = this;
    for (const doc of this.pending) {
      const bodyStart = this.pos;
      while (this.pos < text.length) {
        const end = lineEnd(text, this.pos);
        let line = text.slice(this.pos, end).replace(/\r$/, '');
        if (doc.stripTabs) line = line.replace(/^\t+/, '');
        const next = end < text.length ? end + 1 : end;
        if (line === doc.delimiter) {
          this.heredocs.push({ start: bodyStart, end: this.pos });
          this.pos = next;
          break;
        }
        this.pos = next;
        if (this.pos >= text.length) this.heredocs.push({ start: bodyStart, end: this.pos });
      }
    }
    this.pending = [];
  }

  /** One word starting at `pos`, or undefined when `pos` holds no word character. */
  private readWord(): Word | undefined {
    const { text } = this;
    const start = this.pos;
    const parts: WordPart[] = [];
    let value = '';
    const segments: number[] = [];
    const addSegment = (from: number, length: number) => {
      const n = segments.length;
      if (n > 0 && segments[n - 2] + segments[n - 1] === from) segments[n - 1] += length;
      else segments.push(value.length, from, length);
    };
    const addChar = (char: string, at: number) => {
      addSegment(at, 1);
      value += char;
    };
    /** Characters `from`..`end` of the text, copied as they are. */
    const addRun = (from: number, end: number) => {
      addSegment(from, end - from);
      value += text.slice(from, end);
    };
    const addPart = (part: WordPart) => {
      parts.push(part);
      if (part.kind === 'literal' || part.kind === 'single' || part.kind === 'ansi' || part.kind === 'double') return;
      // An expansion is kept as written: its source text, in one run.
      if (part.text.length > 0) addRun(part.span.start, part.span.start + part.text.length);
    };
    let literal = '';
    let literalStart = -1;
    let literalKind: 'literal' | 'double' = 'literal';
    const flushLiteral = (end = this.pos) => {
      if (literalStart >= 0) parts.push({ kind: literalKind, text: literal, inDoubleQuotes: literalKind === 'double', span: { start: literalStart, end } });
      literal = '';
      literalStart = -1;
    };
    const literalChar = (char: string, at: number, kind: 'literal' | 'double') => {
      if (literalStart < 0 || literalKind !== kind) {
        flushLiteral();
        literalStart = at;
        literalKind = kind;
      }
      literal += char;
      addChar(char, at);
    };

    while (this.pos < text.length) {
      const code = text.charCodeAt(this.pos);
      if (code < 128 && WORD_BREAK[code]) break;
      if (code >= 128 || !UNQUOTED_SPECIAL[code]) {
        // A run of ordinary characters: copied in one step.
        const end = plainRunEnd(text, this.pos, UNQUOTED_SPECIAL);
        if (literalStart < 0 || literalKind !== 'literal') {
          flushLiteral();
          literalStart = this.pos;
          literalKind = 'literal';
        }
        literal += text.slice(this.pos, end);
        addRun(this.pos, end);
        this.pos = end;
        continue;
      }
      const ch = text[this.pos];
      if (ch === '\\') {
        if (text[this.pos + 1] === '\n') {
          this.pos += 2;
          continue;
        }
        const at = this.pos + 1;
        this.pos += 2;
        if (at < text.length) literalChar(text[at], at, 'literal');
        continue;
      }
      if (ch === "'") {
        flushLiteral();
        const close = text.indexOf("'", this.pos + 1);
        const end = close < 0 ? text.length : close;
        const inner = text.slice(this.pos + 1, end);
        for (let i = 0; i < inner.length; i++) addChar(inner[i], this.pos + 1 + i);
        parts.push({ kind: 'single', text: inner, inDoubleQuotes: false, span: { start: this.pos, end: Math.min(text.length, end + 1) } });
        this.pos = Math.min(text.length, end + 1);
        continue;
      }
      if (ch === '"') {
        flushLiteral();
        this.readDoubleQuoted(parts, addChar, addRun, addPart);
        continue;
      }
      if (ch === '`') {
        flushLiteral();
        addPart(this.readBackquote(false));
        continue;
      }
      if (ch === '$') {
        if (text[this.pos + 1] === "'" && this.dialect === 'sh') {
          flushLiteral();
          this.readAnsi(parts, addChar);
          continue;
        }
        const dollarAt = this.pos;
        const expansion = this.readDollar(false);
        if (expansion) {
          flushLiteral(dollarAt);
          addPart(expansion);
          continue;
        }
        this.pos++;
        literalChar('$', this.pos - 1, 'literal');
        continue;
      }
      literalChar(ch, this.pos, 'literal');
      this.pos++;
    }
    flushLiteral();
    if (this.pos === start) return undefined;
    return { span: { start, end: this.pos }, parts, value, segments };
  }

  private readDoubleQuoted(parts: WordPart[], addChar: (c: string, at: number) => void, addRun: (from: number, end: number) => void, addPart: (p: WordPart) => void): void {
    const { text } = this;
    this.pos++; // opening quote
    let literal = '';
    let literalStart = -1;
    const flush = (end = this.pos) => {
      if (literalStart >= 0) parts.push({ kind: 'double', text: literal, inDoubleQuotes: true, span: { start: literalStart, end } });
      literal = '';
      literalStart = -1;
    };
    const add = (char: string, at: number) => {
      if (literalStart < 0) literalStart = at;
      literal += char;
      addChar(char, at);
    };
    while (this.pos < text.length) {
      const code = text.charCodeAt(this.pos);
      if (code >= 128 || !DOUBLE_QUOTED_SPECIAL[code]) {
        const end = plainRunEnd(text, this.pos, DOUBLE_QUOTED_SPECIAL);
        if (literalStart < 0) literalStart = this.pos;
        literal += text.slice(this.pos, end);
        addRun(this.pos, end);
        this.pos = end;
        continue;
      }
      const ch = text[this.pos];
      if (ch === '"') {
        flush();
        this.pos++;
        return;
      }
      if (ch === '\\' && /[$`"\\\n]/.test(text[this.pos + 1] ?? '')) {
        if (text[this.pos + 1] !== '\n') add(text[this.pos + 1], this.pos + 1);
        this.pos += 2;
        continue;
      }
      if (ch === '`') {
        flush();
        addPart(this.readBackquote(true));
        continue;
      }
      if (ch === '$') {
        const dollarAt = this.pos;
        const expansion = this.readDollar(true);
        if (expansion) {
          flush(dollarAt);
          addPart(expansion);
          continue;
        }
      }
      add(ch, this.pos);
      this.pos++;
    }
    flush();
  }

  private readAnsi(parts: WordPart[], addChar: (c: string, at: number) => void): void {
    const { text } = this;
    const start = this.pos;
    this.pos += 2;
    let decoded = '';
    while (this.pos < text.length && text[this.pos] !== "'") {
      if (text[this.pos] === '\\' && this.pos + 1 < text.length) {
        const escaped = text[this.pos + 1];
        const char = ({ n: '\n', t: '\t', r: '\r', "'": "'", '\\': '\\', '"': '"' } as Record<string, string>)[escaped] ?? escaped;
        decoded += char;
        addChar(char, this.pos);
        this.pos += 2;
        continue;
      }
      decoded += text[this.pos];
      addChar(text[this.pos], this.pos);
      this.pos++;
    }
    this.pos = Math.min(text.length, this.pos + 1);
    parts.push({ kind: 'ansi', text: decoded, inDoubleQuotes: false, span: { start, end: this.pos } });
  }

  /** An expansion at `pos` (which holds `$`), or undefined when this `$` is a literal dollar. */
  private readDollar(inDoubleQuotes: boolean): WordPart | undefined {
    const { text } = this;
    const start = this.pos;
    const next = text[start + 1] ?? '';
    const part = (kind: PartKind, end: number, name?: string): WordPart => {
      this.pos = end;
      return { kind, text: text.slice(start, end), inDoubleQuotes, span: { start, end }, ...(name !== undefined ? { name } : {}) };
    };
    if (text.startsWith('${{', start)) {
      const close = text.indexOf('}}', start + 3);
      return part('template', close < 0 ? text.length : close + 2);
    }
    if (this.dialect === 'make') {
      if (next === '$') return this.readShellDollar(start + 1, inDoubleQuotes, start);
      if (next === '(' || next === '{') return part('template', matchBracket(text, start + 1));
      if (next && !/\s/.test(next)) return part('template', start + 2, next);
      return undefined;
    }
    return this.readShellDollar(start, inDoubleQuotes, start);
  }

  /** `$` at `at` as the shell reads it; `start` is where the source of the expansion begins (before make's `$$`). */
  private readShellDollar(at: number, inDoubleQuotes: boolean, start: number): WordPart | undefined {
    const { text } = this;
    const next = text[at + 1] ?? '';
    const part = (kind: PartKind, end: number, name?: string): WordPart => {
      this.pos = end;
      return { kind, text: text.slice(start, end), inDoubleQuotes, span: { start, end }, ...(name !== undefined ? { name } : {}) };
    };
    if (next === '{') {
      const end = matchBracket(text, at + 1);
      const name = /^[#!]?([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(text.slice(at + 2, end));
      return part('param', end, name?.[1]);
    }
    if (next === '(') {
      if (text[at + 2] === '(') return part('command', matchBracket(text, at + 1));
      // Command substitution: its commands are commands of the script too.
      this.pos = at + 2;
      if (this.depth < 16) {
        this.depth++;
        this.run(true);
        this.depth--;
      } else this.pos = matchBracket(text, at + 1) - 1;
      const end = Math.min(text.length, this.pos + 1);
      return part('command', end);
    }
    if (NAME_START.test(next)) {
      let end = at + 2;
      while (end < text.length && NAME_CHAR.test(text[end])) end++;
      return part('param', end, text.slice(at + 1, end));
    }
    if (next && SPECIAL_PARAM.test(next)) return part('param', at + 2, next);
    return undefined;
  }

  private readBackquote(inDoubleQuotes: boolean): WordPart {
    const { text } = this;
    const start = this.pos;
    let end = start + 1;
    while (end < text.length && text[end] !== '`') end += text[end] === '\\' ? 2 : 1;
    this.pos = Math.min(text.length, end + 1);
    return { kind: 'command', text: text.slice(start, this.pos), inDoubleQuotes, span: { start, end: this.pos } };
  }
}

/** For each character of the word's `value`, its offset in the lexed text. */
export function wordSources(word: Word): number[] {
  const sources = new Array<number>(word.value.length);
  const { segments } = word;
  for (let i = 0; i < segments.length; i += 3) {
    for (let k = 0; k < segments[i + 2]; k++) sources[segments[i] + k] = segments[i + 1] + k;
  }
  return sources;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

/** The offset after the bracket closing the one at `open` (`(` or `{`), skipping quotes; the text's end when unclosed. */
export function matchBracket(text: string, open: number): number {
  const opening = text[open];
  const closing = opening === '(' ? ')' : '}';
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === "'" && opening === '(') {
      const close = text.indexOf("'", i + 1);
      i = close < 0 ? text.length : close;
    } else if (ch === opening) depth++;
    else if (ch === closing && --depth === 0) return i + 1;
  }
  return text.length;
}

/**
 * The commands of stretches of the text, each lexed on its own from a point where the whole lex
 * has nothing pending (see skim.ts); undefined when a stretch does not end as expected.
 */
export function lexShellStretches(text: string, dialect: ShellDialect, stretches: readonly (readonly [number, number])[]): SimpleCommand[] | undefined {
  const lexer = new Lexer(text, dialect);
  for (const [start, end] of stretches) if (!lexer.runStretch(start, end)) return undefined;
  return lexer.commands;
}

export function lexShell(text: string, dialect: ShellDialect = 'sh'): LexedShell {
  const lexer = new Lexer(text, dialect);
  lexer.run(false);
  return { commands: lexer.commands, heredocs: lexer.heredocs, comments: lexer.comments };
}

const WRAPPERS = new Set(['sudo', 'env', 'command', 'exec', 'time', 'nohup', 'then', 'do', 'else', 'if', 'elif', 'while', 'until', '!', '{']);

/** The words of a command after leading `NAME=value` assignments and wrappers (`sudo`, `env`, `command`, `exec`). */
export function commandWords(command: SimpleCommand): Word[] {
  let i = 0;
  const { words } = command;
  while (i < words.length) {
    const value = words[i].value;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(value) && words[i].parts[0]?.kind === 'literal') i++;
    else if (WRAPPERS.has(value) && words[i].parts.every((part) => part.kind === 'literal')) i++;
    else break;
  }
  return words.slice(i);
}
