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

// Expressions become a same-length run of `x` so that the value stays a plain scalar.
const EXPRESSION = /\{\{[^\n]*?\}\}/g;
// Statements, comments and Terraform directives become spaces.
const STATEMENT = /\{%[^\n]*?%\}|\{#[^\n]*?#\}|%\{[^\n]*?\}/g;

export function maskTemplates(text: string): MaskedText {
  if (!text.includes('{{') && !text.includes('{%') && !text.includes('{#') && !text.includes('%{')) {
    return { text, templateSpans: [] };
  }
  const templateSpans: Span[] = [];
  let masked = text.replace(STATEMENT, (match, offset: number) => {
    templateSpans.push({ start: offset, end: offset + match.length });
    return ' '.repeat(match.length);
  });
  masked = masked.replace(EXPRESSION, (match, offset: number) => {
    templateSpans.push({ start: offset, end: offset + match.length });
    return 'x'.repeat(match.length);
  });
  templateSpans.sort((a, b) => a.start - b.start);
  return { text: masked, templateSpans };
}

export function overlapsAny(span: Span, spans: readonly Span[]): boolean {
  for (const s of spans) {
    if (s.start < span.end && span.start < s.end) return true;
    if (s.start >= span.end) break;
  }
  return false;
}
