/**
 * The hover for a finding's range: its detail (the whole story behind the
 * one-line message) and a link to the rule's page. Shown before any other
 * hover at the same place, so a client without a Problems panel still gets it.
 */
import type { Finding, Span } from '../types';
import type { HoverResult } from './hover';

export function findingsHover(findings: readonly Finding[], offset: number, docsHref: (ruleId: string) => string): HoverResult | undefined {
  const here = findings.filter((finding) => finding.span.start <= offset && offset <= finding.span.end);
  if (here.length === 0) return undefined;
  const sections = here.map((finding) => {
    const title = `**${finding.ruleId}**${finding.catalogId ? ` (${finding.catalogId})` : ''}: ${finding.message} · [docs](${docsHref(finding.ruleId)})`;
    return finding.detail ? `${title}\n\n${finding.detail}` : title;
  });
  const span: Span = { start: Math.max(...here.map((f) => f.span.start)), end: Math.min(...here.map((f) => f.span.end)) };
  return { span, markdown: sections.join('\n\n---\n\n') };
}

/** Findings first, then what the hover providers know about the place; the range is the findings' (the narrower). */
export function combineHovers(first: HoverResult | undefined, second: HoverResult | undefined): HoverResult | undefined {
  if (!first || !second) return first ?? second;
  return { span: first.span, markdown: `${first.markdown}\n\n---\n\n${second.markdown}` };
}
