/** Hover providers: like rules, pure functions of the document model, one file each. */
import type { RuleContext } from '../rules/rule';
import type { FileKind, Span } from '../types';

export interface HoverContext extends Omit<RuleContext, 'report'> {
  offset: number;
}

export interface HoverResult {
  span: Span;
  /** Markdown. Never key material, passwords or secret values. */
  markdown: string;
}

export interface HoverProvider {
  id: string;
  appliesTo: readonly FileKind[];
  hover(context: HoverContext): HoverResult | undefined | Promise<HoverResult | undefined>;
}

export function contains(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}
