/**
 * The fast path of the shell lexer: most of a long script is commands no rule
 * reads. `skimLogicalLines` walks the text as `lexShell` does (quotes,
 * `$'…'`, `$(…)`, backquotes, comments, here-documents, line continuations,
 * redirections) but builds no words; it returns the offsets where the lexer
 * is back at the start of a command with nothing pending (no open quote,
 * here-document or redirection), so that any stretch between two of them can
 * be lexed on its own and gives the commands the whole lex gives there.
 *
 * It mirrors lexer.ts step by step (the `sh` dialect only); the equivalence
 * tests compare both on fixtures, generated scripts and random mutations.
 */
import { DOUBLE_QUOTED_SPECIAL, matchBracket, UNQUOTED_SPECIAL, WORD_BREAK } from './lexer';


const BACKSLASH = 92;
const NEWLINE = 10;
const DOLLAR = 36;
const SINGLE = 39;
const DOUBLE = 34;
const BACKQUOTE = 96;

function isNameStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}
function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 48 && code <= 57);
}
/** `[0-9@*#?$!-]`: the lexer's special parameters. */
function isSpecialParam(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 64 || code === 42 || code === 35 || code === 63 || code === 36 || code === 33 || code === 45;
}

interface Pending {
  delimiter: string;
  stripTabs: boolean;
}

/**
 * Reads just enough of a here-document delimiter word to know its text: the
 * lexer joins the decoded parts. Undefined when the word holds anything but
 * plain characters and quotes (the caller then gives up on skimming).
 */
function delimiterOf(text: string, start: number, end: number): string | undefined {
  let out = '';
  for (let i = start; i < end; ) {
    const code = text.charCodeAt(i);
    if (code === SINGLE) {
      const close = text.indexOf("'", i + 1);
      const stop = close < 0 || close >= end ? end : close;
      out += text.slice(i + 1, stop);
      i = stop + 1;
    } else if (code === DOUBLE) {
      let j = i + 1;
      while (j < end && text.charCodeAt(j) !== DOUBLE) {
        const c = text.charCodeAt(j);
        if (c === BACKSLASH || c === DOLLAR || c === BACKQUOTE) return undefined;
        j++;
      }
      out += text.slice(i + 1, j);
      i = j + 1;
    } else if (code === BACKSLASH) {
      if (text.charCodeAt(i + 1) === NEWLINE || i + 1 >= end) return undefined;
      out += text[i + 1];
      i += 2;
    } else if (code === DOLLAR || code === BACKQUOTE) return undefined;
    else {
      out += text[i];
      i++;
    }
  }
  return out;
}

class Skimmer {
  pos = 0;
  private pending: Pending[] = [];
  private depth = 0;
  /** Set when the text holds something the skim does not mirror: the caller lexes it all. */
  unsure = false;
  readonly boundaries: number[] = [0];

  constructor(private readonly text: string) {}

  /** Mirrors Lexer.run; records a boundary after each top-level line break that leaves nothing pending. */
  run(inSubstitution: boolean): void {
    const { text } = this;
    const length = text.length;
    let skipNextWord = false;
    while (this.pos < length) {
      if (this.unsure) return;
      const code = text.charCodeAt(this.pos);
      if (code === 32 || code === 9 || code === 13) {
        this.pos++;
        continue;
      }
      if (code === BACKSLASH && text.charCodeAt(this.pos + 1) === NEWLINE) {
        this.pos += 2;
        continue;
      }
      if (code === NEWLINE) {
        this.pos++;
        this.readHeredocBodies();
        if (!inSubstitution && this.depth === 0 && !skipNextWord) this.boundaries.push(this.pos);
        continue;
      }
      if (code === 35 /* # */) {
        const end = text.indexOf('\n', this.pos);
        this.pos = end < 0 ? length : end;
        continue;
      }
      if (code === 41 /* ) */ && inSubstitution) return;
      if (code === 59 || code === 38 || code === 124 || code === 40 || code === 41) {
        this.pos += text.charCodeAt(this.pos + 1) === code ? 2 : 1;
        continue;
      }
      if (code === 60 || code === 62) {
        if (text.startsWith('<<<', this.pos)) this.pos += 3;
        else if (code === 60 && text.charCodeAt(this.pos + 1) === 60) {
          const stripTabs = text.charCodeAt(this.pos + 2) === 45;
          this.pos += stripTabs ? 3 : 2;
          while (text.charCodeAt(this.pos) === 32 || text.charCodeAt(this.pos) === 9) this.pos++;
          const start = this.pos;
          this.skipWord();
          if (this.pos > start) {
            const delimiter = delimiterOf(text, start, this.pos);
            if (delimiter === undefined) {
              this.unsure = true;
              return;
            }
            this.pending.push({ delimiter, stripTabs });
          }
          continue;
        } else {
          this.pos++;
          while (text[this.pos] === '>' || text[this.pos] === '&' || text[this.pos] === '|') this.pos++;
          if (text[this.pos - 1] === '&' && isDigitOrDash(text.charCodeAt(this.pos))) {
            while (isDigitOrDash(text.charCodeAt(this.pos))) this.pos++;
            continue;
          }
        }
        skipNextWord = true;
        continue;
      }
      const start = this.pos;
      this.skipWord();
      if (this.pos === start) {
        this.pos++;
        continue;
      }
      skipNextWord = false;
    }
  }

  private readHeredocBodies(): void {
    const { text } = this;
    for (const doc of this.pending) {
      while (this.pos < text.length) {
        const newline = text.indexOf('\n', this.pos);
        const end = newline < 0 ? text.length : newline;
        let lineStart = this.pos;
        let lineEnd = end;
        if (text.charCodeAt(lineEnd - 1) === 13 && lineEnd > lineStart) lineEnd--;
        if (doc.stripTabs) while (lineStart < lineEnd && text.charCodeAt(lineStart) === 9) lineStart++;
        const next = end < text.length ? end + 1 : end;
        this.pos = next;
        if (lineEnd - lineStart === doc.delimiter.length && text.startsWith(doc.delimiter, lineStart)) break;
      }
    }
    this.pending = [];
  }

  /** Mirrors Lexer.readWord: moves past one word. */
  private skipWord(): void {
    const { text } = this;
    const length = text.length;
    while (this.pos < length) {
      const code = text.charCodeAt(this.pos);
      if (code < 128 && WORD_BREAK[code]) return;
      if (code >= 128 || !UNQUOTED_SPECIAL[code]) {
        this.pos++;
        continue;
      }
      if (code === BACKSLASH) {
        this.pos += 2;
        continue;
      }
      if (code === SINGLE) {
        const close = text.indexOf("'", this.pos + 1);
        this.pos = close < 0 ? length : close + 1;
        continue;
      }
      if (code === DOUBLE) {
        this.skipDoubleQuoted();
        continue;
      }
      if (code === BACKQUOTE) {
        this.skipBackquote();
        continue;
      }
      // `$`
      if (text.charCodeAt(this.pos + 1) === SINGLE) {
        this.skipAnsi();
        continue;
      }
      if (!this.skipDollar()) this.pos++;
    }
  }

  private skipDoubleQuoted(): void {
    const { text } = this;
    const length = text.length;
    this.pos++;
    while (this.pos < length) {
      const code = text.charCodeAt(this.pos);
      if (code >= 128 || !DOUBLE_QUOTED_SPECIAL[code]) {
        this.pos++;
        continue;
      }
      if (code === DOUBLE) {
        this.pos++;
        return;
      }
      if (code === BACKSLASH) {
        // `\x` for any other x: the lexer keeps the backslash and then reads x, which is an ordinary character here.
        this.pos += 2;
        continue;
      }
      if (code === BACKQUOTE) {
        this.skipBackquote();
        continue;
      }
      if (!this.skipDollar()) this.pos++;
    }
    // An unclosed quote runs to the end of the text, as in the lexer.
    this.pos = Math.min(this.pos, length);
  }

  private skipAnsi(): void {
    const { text } = this;
    this.pos += 2;
    while (this.pos < text.length && text.charCodeAt(this.pos) !== SINGLE) this.pos += text.charCodeAt(this.pos) === BACKSLASH && this.pos + 1 < text.length ? 2 : 1;
    this.pos = Math.min(text.length, this.pos + 1);
  }

  private skipBackquote(): void {
    const { text } = this;
    let end = this.pos + 1;
    while (end < text.length && text.charCodeAt(end) !== BACKQUOTE) end += text.charCodeAt(end) === BACKSLASH ? 2 : 1;
    this.pos = Math.min(text.length, end + 1);
  }

  /** Mirrors Lexer.readDollar for `sh`: false when this `$` is a literal dollar. */
  private skipDollar(): boolean {
    const { text } = this;
    const at = this.pos;
    const next = text.charCodeAt(at + 1);
    if (next === 123 /* { */) {
      if (text.charCodeAt(at + 2) === 123) {
        const close = text.indexOf('}}', at + 3);
        this.pos = close < 0 ? text.length : close + 2;
        return true;
      }
      this.pos = matchBracket(text, at + 1);
      return true;
    }
    if (next === 40 /* ( */) {
      if (text.charCodeAt(at + 2) === 40) {
        this.pos = matchBracket(text, at + 1);
        return true;
      }
      this.pos = at + 2;
      if (this.depth < 16) {
        this.depth++;
        this.run(true);
        this.depth--;
      } else this.pos = matchBracket(text, at + 1) - 1;
      this.pos = Math.min(text.length, this.pos + 1);
      return true;
    }
    if (isNameStart(next)) {
      let end = at + 2;
      while (end < text.length && isNameChar(text.charCodeAt(end))) end++;
      this.pos = end;
      return true;
    }
    if (at + 1 < text.length && isSpecialParam(next)) {
      this.pos = at + 2;
      return true;
    }
    return false;
  }
}

function isDigitOrDash(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 45;
}

/**
 * Offsets (ascending, starting with 0 and ending with the text's length) between which the
 * `sh` lexer can be run on its own; undefined when the skim cannot be sure of them.
 */
export function skimLogicalLines(text: string): number[] | undefined {
  const skimmer = new Skimmer(text);
  skimmer.run(false);
  if (skimmer.unsure) return undefined;
  const { boundaries } = skimmer;
  if (boundaries[boundaries.length - 1] !== text.length) boundaries.push(text.length);
  return boundaries;
}
