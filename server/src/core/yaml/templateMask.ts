/**
 * Template syntax (Jinja, Helm, Terraform) is not YAML: `hostname: {{ host }}`
 * parses as a flow mapping and `{% if %}` as garbage. We blank it out, keeping
 * every offset, so the YAML parser sees plain scalars and empty lines, and rules
 * can ask whether a value overlapped a template.
 */
import type { Span } from '../types';

export interface MaskedText {
  text: string;
  templateSpans: Span[];
}

/** An opening and closing delimiter; a template never spans a line break. */
interface Delimiters {
  open: string;
  close: string;
}

// Statements, comments and Terraform directives become spaces.
const STATEMENTS: Delimiters[] = [
  { open: '{%', close: '%}' },
  { open: '{#', close: '#}' },
  { open: '%{', close: '}' },
];
// Expressions become a same-length run of `x` so that the value stays a plain scalar.
const EXPRESSIONS: Delimiters[] = [{ open: '{{', close: '}}' }];
// Every opener starts with one of these.
const OPEN_BRACE = '{'.charCodeAt(0);
const PERCENT = '%'.charCodeAt(0);

export function maskTemplates(text: string): MaskedText {
  if (!text.includes('{{') && !text.includes('{%') && !text.includes('{#') && !text.includes('%{')) {
    return { text, templateSpans: [] };
  }
  const templateSpans: Span[] = [];
  let masked = replaceDelimited(text, STATEMENTS, ' ', templateSpans);
  masked = replaceDelimited(masked, EXPRESSIONS, 'x', templateSpans);
  templateSpans.sort((a, b) => a.start - b.start);
  return { text: masked, templateSpans };
}

/**
 * Replaces every `open … close` on one line (shortest match, scanned left to
 * right, as a lazy regexp would) by `fill`. Linear: the next closer and the next
 * line break are looked up once and reused until the scan passes them, so a
 * line of thousands of unclosed openers costs one pass, not one per opener.
 */
function replaceDelimited(text: string, kinds: readonly Delimiters[], fill: string, spans: Span[]): string {
  const nextClose = kinds.map(() => -1);
  let nextNewline = -1;
  const parts: string[] = [];
  let copied = 0;
  let at = 0;
  while (at < text.length) {
    const char = text.charCodeAt(at);
    const kindIndex = char === OPEN_BRACE || char === PERCENT ? kinds.findIndex((kind) => text.startsWith(kind.open, at)) : -1;
    if (kindIndex < 0) {
      at++;
      continue;
    }
    const kind = kinds[kindIndex];
    const from = at + kind.open.length;
    if (nextClose[kindIndex] !== Infinity && nextClose[kindIndex] < from) {
      const found = text.indexOf(kind.close, from);
      nextClose[kindIndex] = found < 0 ? Infinity : found;
    }
    if (nextNewline !== Infinity && nextNewline < from) {
      const found = text.indexOf('\n', from);
      nextNewline = found < 0 ? Infinity : found;
    }
    const close = nextClose[kindIndex];
    if (close === Infinity || close > nextNewline) {
      at++;
      continue;
    }
    const end = close + kind.close.length;
    spans.push({ start: at, end });
    parts.push(text.slice(copied, at), fill.repeat(end - at));
    copied = at = end;
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

export function overlapsAny(span: Span, spans: readonly Span[]): boolean {
  for (const s of spans) {
    if (s.start < span.end && span.start < s.end) return true;
    if (s.start >= span.end) break;
  }
  return false;
}
